package dev.stageflow.inference.sd;

/**
 * The files and tensor names of a Stable Diffusion pipeline as {@code optimum-cli export onnx}
 * writes it (and as diffusers' and Optimum's ONNX pipelines read it). One place for every name.
 */
public final class SdLayout {

    public static final String MODEL_INDEX = "model_index.json";
    public static final String TOKENIZER_DIR = "tokenizer";
    public static final String TEXT_ENCODER = "text_encoder/model.onnx";
    public static final String UNET = "unet/model.onnx";
    public static final String VAE_DECODER = "vae_decoder/model.onnx";
    public static final String VAE_DECODER_CONFIG = "vae_decoder/config.json";
    public static final String SCHEDULER_CONFIG = "scheduler/scheduler_config.json";

    public static final String INPUT_IDS = "input_ids";
    public static final String LAST_HIDDEN_STATE = "last_hidden_state";
    public static final String POOLER_OUTPUT = "pooler_output";
    public static final String SAMPLE = "sample";
    public static final String TIMESTEP = "timestep";
    public static final String ENCODER_HIDDEN_STATES = "encoder_hidden_states";
    public static final String OUT_SAMPLE = "out_sample";
    public static final String LATENT_SAMPLE = "latent_sample";

    /** Latent channels of every SD 1.x / 2.x / Turbo VAE. */
    public static final int LATENT_CHANNELS = 4;
    /** Pixels per latent cell of those VAEs. */
    public static final int VAE_SCALE = 8;
    /** The VAE scaling factor of SD 1.x, 2.x and Turbo, when the export has no vae config. */
    public static final double DEFAULT_SCALING_FACTOR = 0.18215;

    private SdLayout() {}
}
