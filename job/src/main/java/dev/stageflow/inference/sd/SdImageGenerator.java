package dev.stageflow.inference.sd;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.StageOptions;
import dev.stageflow.inference.ExecutionDevice;
import dev.stageflow.inference.GaussianNoise;
import dev.stageflow.inference.ImageGenerator;
import dev.stageflow.inference.ImageGeneratorFactory;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.RgbImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The image side of a Stable Diffusion pipeline: the denoising loop of the UNet under a scheduler
 * read from the pipeline's config, with classifier-free guidance, then the VAE decoder.
 *
 * <p>As diffusers' pipeline: the latent starts as N(0, 1)·{@code init_noise_sigma}, here from the
 * prompt's seed in Java ({@link GaussianNoise}), never from the engine. Each step feeds the UNet
 * the scaled latent, the timestep (in the model's element type and rank) and the text embeddings;
 * with guidance g > 1 the batch is doubled, negative prompts first, and the prediction is
 * uncond + g·(cond − uncond). The final latent divided by the VAE's scaling factor is decoded, and
 * pixels are x / 2 + 0.5 clamped to [0, 1]. The latent returned (and stored) is the final latent
 * before that division.
 *
 * <p>A batch shares width, height, steps and guidance, and runs as one UNet call per step.
 *
 * <p>Determinism across batches: ONNX Runtime's results depend on tensor shapes (on the tiny
 * pipeline a prompt got other bits in a batch of two than alone, even with one thread; kernels are
 * picked and blocked by shape), so a prompt's latent would depend on how many prompts the dynamic
 * batcher happened to put beside it, and a replay could give other bytes. Every UNet call therefore has
 * the same number of rows: a batch is padded to {@code rows} prompts (copies of its first, whose
 * outputs are dropped; a larger batch runs in chunks), and the VAE decodes one image per call. No
 * SD operator mixes the rows of a batch, so a row's result depends only on its own inputs. The
 * number of rows is part of the version, since another one may round differently.
 * One instance per subtask, used by one thread.
 */
public final class SdImageGenerator implements ImageGenerator {

    public static final int MAX_IMAGE_SIDE = 2048;

    private final OrtModel unet;
    private final OrtModel vae;
    private final Scheduler scheduler;
    private final double scalingFactor;
    private final OnnxJavaType sampleType;
    private final TensorInfo timestepInfo;
    private final OnnxJavaType contextType;
    private final OnnxJavaType latentType;
    private final long contextLength;
    private final long hidden;
    private final int rows;
    private final String name;
    private final String version;

    SdImageGenerator(SdPipelineFiles files, ExecutionDevice device, int threads, int rows, boolean metadataOnly) {
        if (rows < 1) {
            throw new IllegalArgumentException("The UNet's batch must have at least 1 row, got " + rows);
        }
        this.rows = rows;
        this.scheduler = files.scheduler();
        this.scalingFactor = files.scalingFactor();
        this.unet = OrtModel.open(files.file(SdLayout.UNET), files.describe(SdLayout.UNET), device, threads,
                metadataOnly);
        OrtModel vaeModel = null;
        try {
            sampleType = unet.input(SdLayout.SAMPLE, Tensors.FLOATS, 4).type;
            timestepInfo = unet.input(SdLayout.TIMESTEP, Tensors.TIMESTEPS, 0, 1);
            TensorInfo context = unet.input(SdLayout.ENCODER_HIDDEN_STATES, Tensors.FLOATS, 3);
            unet.requireOnlyInputs(Set.of(SdLayout.SAMPLE, SdLayout.TIMESTEP, SdLayout.ENCODER_HIDDEN_STATES),
                    "SD 1.x, 2.x and Turbo UNets; SDXL's text_embeds and time_ids are not supported");
            unet.output(SdLayout.OUT_SAMPLE, Tensors.FLOATS, 4);
            checkChannels(unet, unet.input(SdLayout.SAMPLE, Tensors.FLOATS, 4), SdLayout.SAMPLE);
            contextType = context.type;
            contextLength = OrtModel.dimension(context, 1);
            hidden = OrtModel.dimension(context, 2);
            vaeModel = OrtModel.open(files.file(SdLayout.VAE_DECODER), files.describe(SdLayout.VAE_DECODER),
                    device, threads, metadataOnly);
            TensorInfo latent = vaeModel.input(SdLayout.LATENT_SAMPLE, Tensors.FLOATS, 4);
            checkChannels(vaeModel, latent, SdLayout.LATENT_SAMPLE);
            vaeModel.requireOnlyInputs(Set.of(SdLayout.LATENT_SAMPLE), "a VAE decoder takes latent_sample only");
            vaeModel.output(SdLayout.SAMPLE, Tensors.FLOATS, 4);
            latentType = latent.type;
        } catch (RuntimeException e) {
            unet.close();
            if (vaeModel != null) {
                vaeModel.close();
            }
            throw e;
        }
        this.vae = vaeModel;
        this.name = files.name();
        this.version = files.generatorVersion("rows=" + rows);
    }

    /**
     * Opens the image side of the pipeline in {@code dir} for running; every UNet call has {@code
     * rows} prompts (twice that many rows with guidance).
     */
    public static SdImageGenerator open(Path dir, int threads, String schedulerClass, int rows) {
        return new SdImageGenerator(SdPipelineFiles.of(dir, schedulerClass), ExecutionDevice.CPU, threads, rows, false);
    }

    @Override
    public String name() {
        return name;
    }

    /** Hash of the UNet, the VAE decoder and its config, the scheduler config and the scheduler chosen. */
    @Override
    public String version() {
        return version;
    }

    @Override
    public List<Generated> generate(List<GenerationInput> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        GenerationInput first = batch.get(0);
        batch.forEach(input -> validate(input, first));
        List<Generated> results = new ArrayList<>(batch.size());
        for (int start = 0; start < batch.size(); start += rows) {
            List<GenerationInput> chunk = batch.subList(start, Math.min(batch.size(), start + rows));
            List<GenerationInput> padded = new ArrayList<>(chunk);
            while (padded.size() < rows) {
                padded.add(chunk.get(0));
            }
            results.addAll(generatePadded(padded).subList(0, chunk.size()));
        }
        return results;
    }

    private List<Generated> generatePadded(List<GenerationInput> batch) {
        GenerationInput first = batch.get(0);
        int count = batch.size();
        int height = first.height / SdLayout.VAE_SCALE;
        int width = first.width / SdLayout.VAE_SCALE;
        int itemLength = SdLayout.LATENT_CHANNELS * height * width;
        Scheduler.Schedule schedule = scheduler.schedule(first.steps);
        boolean guided = first.guidance > 1;

        float[] latents = new float[count * itemLength];
        for (int i = 0; i < count; i++) {
            float[] noise = GaussianNoise.sample(batch.get(i).seed, itemLength);
            for (int j = 0; j < itemLength; j++) {
                latents[i * itemLength + j] = (float) (noise[j] * schedule.initNoiseSigma());
            }
        }
        float[] context = contexts(batch, guided);
        int rows = guided ? 2 * count : count;
        int embeddingLength = first.embedding.length;
        long[] contextShape = {rows, embeddingLength / hiddenSize(), hiddenSize()};
        long[] sampleShape = {rows, SdLayout.LATENT_CHANNELS, height, width};
        double[] timesteps = schedule.timesteps();
        for (int step = 0; step < schedule.steps(); step++) {
            float[] input = scaled(latents, schedule.inputScale(step), guided ? 2 : 1);
            Map<String, OnnxTensor> feeds = new HashMap<>();
            feeds.put(SdLayout.SAMPLE, Tensors.floats(input, sampleShape, sampleType));
            feeds.put(SdLayout.TIMESTEP, Tensors.timestep(timesteps[step], timestepShape(rows), timestepInfo.type));
            feeds.put(SdLayout.ENCODER_HIDDEN_STATES, Tensors.floats(context, contextShape, contextType));
            float[] prediction;
            try (OrtSession.Result result = unet.run(feeds)) {
                prediction = OrtModel.floats(result, SdLayout.OUT_SAMPLE);
            }
            if (guided) {
                prediction = guide(prediction, latents.length, first.guidance);
            }
            schedule.step(prediction, step, latents);
        }
        List<Generated> results = new ArrayList<>(count);
        int[] latentShape = {SdLayout.LATENT_CHANNELS, height, width};
        for (int i = 0; i < count; i++) {
            float[] latent = new float[itemLength];
            System.arraycopy(latents, i * itemLength, latent, 0, itemLength);
            results.add(new Generated(latent, latentShape, decode(latent, height, width)));
        }
        return results;
    }

    private long hiddenSize() {
        if (hidden > 0) {
            return hidden;
        }
        throw new IllegalStateException(unet.displayName() + " leaves the hidden size of "
                + SdLayout.ENCODER_HIDDEN_STATES + " dynamic");
    }

    /** The negative embeddings first (with guidance), then the prompts', as diffusers orders them. */
    private static float[] contexts(List<GenerationInput> batch, boolean guided) {
        int length = batch.get(0).embedding.length;
        float[] context = new float[(guided ? 2 : 1) * batch.size() * length];
        int offset = 0;
        if (guided) {
            for (GenerationInput input : batch) {
                System.arraycopy(input.negativeEmbedding, 0, context, offset, length);
                offset += length;
            }
        }
        for (GenerationInput input : batch) {
            System.arraycopy(input.embedding, 0, context, offset, length);
            offset += length;
        }
        return context;
    }

    private static float[] scaled(float[] latents, double scale, int copies) {
        float[] input = new float[latents.length * copies];
        for (int i = 0; i < latents.length; i++) {
            float value = (float) (latents[i] * scale);
            for (int c = 0; c < copies; c++) {
                input[c * latents.length + i] = value;
            }
        }
        return input;
    }

    private static float[] guide(float[] prediction, int half, double guidance) {
        float[] guided = new float[half];
        for (int i = 0; i < half; i++) {
            float unconditional = prediction[i];
            float conditional = prediction[half + i];
            guided[i] = (float) (unconditional + guidance * (conditional - unconditional));
        }
        return guided;
    }

    private long[] timestepShape(int rows) {
        if (timestepInfo.getShape().length == 0) {
            return new long[0];
        }
        long declared = timestepInfo.getShape()[0];
        return new long[] {declared > 0 ? declared : rows};
    }

    private RgbImage decode(float[] latent, int height, int width) {
        float[] scaled = new float[latent.length];
        for (int i = 0; i < latent.length; i++) {
            scaled[i] = (float) (latent[i] / scalingFactor);
        }
        long[] shape = {1, SdLayout.LATENT_CHANNELS, height, width};
        float[] pixels;
        try (OrtSession.Result result = vae.run(Map.of(SdLayout.LATENT_SAMPLE, Tensors.floats(scaled, shape, latentType)))) {
            pixels = OrtModel.floats(result, SdLayout.SAMPLE);
        }
        int imageHeight = height * SdLayout.VAE_SCALE;
        int imageWidth = width * SdLayout.VAE_SCALE;
        if (pixels.length != 3 * imageHeight * imageWidth) {
            throw new IllegalStateException(vae.displayName() + " returned " + pixels.length + " values for an image of "
                    + imageWidth + "x" + imageHeight);
        }
        float[] planes = new float[pixels.length];
        for (int j = 0; j < pixels.length; j++) {
            planes[j] = Math.max(0f, Math.min(1f, pixels[j] / 2 + 0.5f));
        }
        return new RgbImage(imageWidth, imageHeight, planes);
    }

    private void validate(GenerationInput input, GenerationInput first) {
        long expected = contextLength > 0 && hidden > 0 ? contextLength * hidden : -1;
        if (expected > 0 && input.embedding.length != expected) {
            throw new IllegalArgumentException("Embedding has " + input.embedding.length + " values, "
                    + unet.displayName() + " takes " + contextLength + " x " + hidden);
        }
        if (input.guidance > 1 && (input.negativeEmbedding == null
                || input.negativeEmbedding.length != input.embedding.length)) {
            throw new IllegalArgumentException("Guidance " + input.guidance + " needs a negative embedding of "
                    + input.embedding.length + " values");
        }
        input.checkShape(first, SdLayout.VAE_SCALE, MAX_IMAGE_SIDE);
    }

    private static void checkChannels(OrtModel model, TensorInfo info, String input) {
        long channels = OrtModel.dimension(info, 1);
        if (channels > 0 && channels != SdLayout.LATENT_CHANNELS) {
            throw new IllegalArgumentException(model.displayName() + ": input '" + input + "' has " + channels
                    + " channels, the sd-onnx family runs latents of " + SdLayout.LATENT_CHANNELS);
        }
    }

    @Override
    public void close() {
        unet.close();
        vae.close();
    }

    /**
     * The family {@value SdPipelineFiles#FAMILY} for image-generate, registered for {@link
     * java.util.ServiceLoader}: {@code generator.model} is the export's directory; its one option,
     * {@code generator.options.scheduler}, names a scheduler class to run instead of the config's.
     * Every UNet call has {@code generator.batch.size} prompts.
     */
    public static final class Factory implements ImageGeneratorFactory {

        @Override
        public String family() {
            return SdPipelineFiles.FAMILY;
        }

        @Override
        public void validate(ModelSpec spec) {
            SdPipelineFiles.validate(spec, ModelOptions.GENERATOR, Set.of(SdPipelineFiles.SCHEDULER_OPTION),
                    files -> new SdImageGenerator(files, ExecutionDevice.CPU, 1, 1, true).close());
        }

        @Override
        public ImageGenerator create(ModelSpec spec) {
            String scheduler = spec.familyOptions().get(SdPipelineFiles.SCHEDULER_OPTION);
            int rows = spec.configuration().get(StageOptions.GENERATOR.batchSize);
            return new SdImageGenerator(SdPipelineFiles.of(spec.modelPath(), scheduler), spec.device(), spec.threads(),
                    rows, false);
        }
    }
}
