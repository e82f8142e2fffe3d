package dev.stageflow.tools;

import dev.stageflow.inference.EsrganModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * Converts the ESRGAN-slim models of the npm package {@value EsrganModel#PACKAGE} to ONNX (with
 * {@link TfjsLayersConverter}) and writes them, with the package's licence, into the job's
 * resources. The package is installed by the build ({@code npm ci} in {@link #PACKAGE_INSTALL_DIR},
 * its lock file pins it by sha512); the files are checked in, {@code EsrganModelsAreCurrentTest}
 * fails when they differ from what this writes, and {@code scripts/generate.sh} rewrites them.
 *
 * <p>The job keys its artifacts by a hash of the ONNX file, so a change here reaches the keys
 * without any version to bump.
 */
public final class EsrganModelWriter {

    /** Where the build installs the pinned package, relative to the checkout. */
    public static final String PACKAGE_INSTALL_DIR = "build-tools/esrgan/model";
    static final String PACKAGE_DIR = PACKAGE_INSTALL_DIR + "/node_modules/@upscalerjs/esrgan-slim";

    private EsrganModelWriter() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("Usage: EsrganModelWriter <checkout> <job resources directory>");
        }
        write(Paths.get(args[0]).resolve(PACKAGE_DIR), Paths.get(args[1]));
    }

    /** Writes every {@link EsrganModel} and the licence under {@code resources}. */
    public static void write(Path packageDir, Path resources) throws IOException {
        if (!Files.isDirectory(packageDir.resolve("models"))) {
            throw new IllegalStateException("The npm package " + EsrganModel.PACKAGE + " is not installed at "
                    + packageDir + ": run 'npm ci --ignore-scripts' in " + PACKAGE_INSTALL_DIR
                    + " (the build does it before the tests)");
        }
        for (EsrganModel model : EsrganModel.values()) {
            Path modelJson = packageDir.resolve("models/x" + model.scale() + "/model.json");
            byte[] onnx = TfjsLayersConverter.convert(modelJson, model.optionValue(), EsrganModel.PACKAGE)
                    .toByteArray();
            writeIfChanged(resources.resolve(model.resourceDir()).resolve(EsrganModel.MODEL_FILE), onnx);
        }
        writeIfChanged(resources.resolve(EsrganModel.LICENSE_RESOURCE),
                Files.readAllBytes(packageDir.resolve("LICENSE")));
    }

    private static void writeIfChanged(Path file, byte[] bytes) throws IOException {
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
