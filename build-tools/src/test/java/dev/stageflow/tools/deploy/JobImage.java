package dev.stageflow.tools.deploy;

import dev.stageflow.inference.OnnxImageGenerator;
import dev.stageflow.inference.MiniLmTextEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the job image's Dockerfile must agree with, checked without Docker: its Flink is the pom's,
 * everything it copies exists after {@code mvn package} and passes {@code .dockerignore}, its lib/
 * holds the parent-first libraries the standalone cluster has, its s3 plugin is the one the build
 * resolves, and its model files are the job jar's own, byte for byte (so the job finds them in
 * place and never writes to the image).
 */
final class JobImage {

    /** The model files the job extracts ({@code ModelFiles}: {@code <model dir>/<sub dir>/<file>}), each with its resource in the job jar. */
    static final Map<String, String> MODEL_FILES = Map.of(
            MiniLmTextEncoder.NAME + "/" + MiniLmTextEncoder.NAME + ".onnx", MiniLmTextEncoder.NAME + ".onnx",
            MiniLmTextEncoder.NAME + "/" + MiniLmTextEncoder.NAME + "-tokenizer.json", MiniLmTextEncoder.NAME + "-tokenizer.json",
            OnnxImageGenerator.BUILTIN_VERSION + "/" + OnnxImageGenerator.DENOISER_FILE,
            OnnxImageGenerator.BUILTIN_RESOURCE_DIR + "/" + OnnxImageGenerator.DENOISER_FILE,
            OnnxImageGenerator.BUILTIN_VERSION + "/" + OnnxImageGenerator.DECODER_FILE,
            OnnxImageGenerator.BUILTIN_RESOURCE_DIR + "/" + OnnxImageGenerator.DECODER_FILE);

    /** The DJL artifacts the standalone cluster puts on its classpath (servers/flink/pom.xml). */
    private static final Pattern CLUSTER_DJL = Pattern.compile(
            "<groupId>(ai\\.djl[a-z.]*)</groupId><artifactId>([a-z-]+)</artifactId>");
    private static final Pattern PLUGIN_JAR = Pattern.compile("/opt/flink/(?:opt|plugins/[a-z0-9-]+)/([a-z0-9.-]+\\.jar)");

    private final Checkout checkout;
    private final Dockerfile dockerfile;
    private final List<String> dockerignore;

    JobImage(Checkout checkout, Dockerfile dockerfile, List<String> dockerignore) {
        this.checkout = checkout;
        this.dockerfile = dockerfile;
        this.dockerignore = dockerignore;
    }

    static JobImage ofCheckout(Checkout checkout) throws IOException {
        return new JobImage(checkout, new Dockerfile(Files.readString(checkout.path("Dockerfile"))),
                Files.readAllLines(checkout.path(".dockerignore")));
    }

    /** Everything that disagrees, one line each; empty when the image would build as intended. */
    List<String> problems() throws IOException {
        List<String> problems = new ArrayList<>();
        String base = dockerfile.baseImage();
        if (!base.equals("flink:" + checkout.flinkVersion()) && !base.startsWith("flink:" + checkout.flinkVersion() + "-")) {
            problems.add("FROM " + base + " is not the official image of the pom's Flink " + checkout.flinkVersion());
        }
        String version = dockerfile.args().get("STAGEFLOW_VERSION");
        if (!checkout.projectVersion().equals(version)) {
            problems.add("ARG STAGEFLOW_VERSION=" + version + " is not the project's version " + checkout.projectVersion());
        }
        for (Dockerfile.Copy copy : dockerfile.copies()) {
            for (String source : copy.sources()) {
                problems.addAll(sourceProblems(source));
            }
        }
        problems.addAll(libProblems());
        problems.addAll(pluginProblems());
        problems.addAll(modelProblems());
        return problems;
    }

    private List<String> sourceProblems(String source) throws IOException {
        List<String> problems = new ArrayList<>();
        Path path = checkout.path(source);
        if (!Files.exists(path)) {
            problems.add("COPY " + source + ": no such file after mvn package");
        } else if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.list(path)) {
                if (files.findAny().isEmpty()) {
                    problems.add("COPY " + source + ": the directory is empty");
                }
            }
        }
        if (!inBuildContext(source)) {
            problems.add("COPY " + source + ": .dockerignore leaves it out of the build context");
        }
        return problems;
    }

    /** Docker's rule: the last pattern matching the path or one of its parents decides; '!' takes a path back in. */
    boolean inBuildContext(String source) {
        String path = Path.of(source).normalize().toString();
        boolean included = true;
        for (String line : dockerignore) {
            String pattern = line.strip();
            if (pattern.isEmpty() || pattern.startsWith("#")) {
                continue;
            }
            boolean exception = pattern.startsWith("!");
            String glob = Path.of(exception ? pattern.substring(1) : pattern).normalize().toString();
            var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            for (Path candidate = Path.of(path); candidate != null; candidate = candidate.getParent()) {
                if (matcher.matches(candidate)) {
                    included = exception;
                    break;
                }
            }
        }
        return included;
    }

    private List<String> libProblems() throws IOException {
        List<String> problems = new ArrayList<>();
        String lib = copySourceTo("/opt/flink/lib/");
        if (lib == null) {
            return List.of("No COPY into /opt/flink/lib/: DJL and ONNX Runtime must be parent-first");
        }
        Matcher djl = CLUSTER_DJL.matcher(Files.readString(checkout.path("servers/flink/pom.xml")));
        int found = 0;
        while (djl.find()) {
            found++;
            String jar = djl.group(2) + "-" + checkout.djlVersion() + ".jar";
            if (!Files.isRegularFile(checkout.path(lib).resolve(jar))) {
                problems.add(lib + " lacks " + jar + ", which the standalone cluster has on its classpath");
            }
        }
        if (found == 0) {
            problems.add("servers/flink/pom.xml lists no DJL artifact: nothing to compare " + lib + " with");
        }
        try (Stream<Path> jars = Files.list(checkout.path(lib))) {
            jars.map(jar -> jar.getFileName().toString())
                    .filter(name -> name.startsWith("flink-") || name.startsWith("slf4j-") || name.startsWith("commons-compress"))
                    .forEach(name -> problems.add(lib + " holds " + name + ", which the Flink image has already"));
        }
        return problems;
    }

    private List<String> pluginProblems() throws IOException {
        List<String> problems = new ArrayList<>();
        String s3 = "flink-s3-fs-hadoop-" + checkout.flinkVersion() + ".jar";
        if (!s3.equals(dockerfile.env("ENABLE_BUILT_IN_PLUGINS"))) {
            problems.add("ENABLE_BUILT_IN_PLUGINS=" + dockerfile.env("ENABLE_BUILT_IN_PLUGINS") + " is not " + s3);
        }
        if (!Files.isRegularFile(checkout.path("job/target/plugins/s3-fs-hadoop").resolve(s3))) {
            problems.add("the build resolved no " + s3 + " (job/target/plugins/s3-fs-hadoop)");
        }
        for (String run : dockerfile.all("RUN")) {
            Matcher jar = PLUGIN_JAR.matcher(run);
            while (jar.find()) {
                if (!jar.group(1).endsWith("-" + checkout.flinkVersion() + ".jar")) {
                    problems.add("RUN checks for " + jar.group(1) + ", not of Flink " + checkout.flinkVersion());
                }
            }
        }
        return problems;
    }

    private List<String> modelProblems() throws IOException {
        List<String> problems = new ArrayList<>();
        String models = copySourceTo(dockerfile.env("STAGEFLOW_MODEL_DIR") + "/");
        if (models == null) {
            return List.of("No COPY into STAGEFLOW_MODEL_DIR (" + dockerfile.env("STAGEFLOW_MODEL_DIR") + ")");
        }
        Path jobJar = checkout.path("job/target/stageflow-job-" + checkout.projectVersion() + "-job.jar");
        if (!Files.isRegularFile(jobJar)) {
            return List.of("No job jar " + jobJar + ": run mvn package");
        }
        try (JarFile jar = new JarFile(jobJar.toFile())) {
            for (Map.Entry<String, String> file : MODEL_FILES.entrySet()) {
                Path copy = checkout.path(models).resolve(file.getKey());
                var entry = jar.getJarEntry(file.getValue());
                if (entry == null) {
                    problems.add("the job jar has no " + file.getValue());
                } else if (!Files.isRegularFile(copy)) {
                    problems.add(models + " lacks " + file.getKey());
                } else {
                    try (InputStream in = jar.getInputStream(entry)) {
                        if (!sha256(in.readAllBytes()).equals(sha256(Files.readAllBytes(copy)))) {
                            problems.add(models + file.getKey() + " differs from " + file.getValue() + " in the job jar");
                        }
                    }
                }
            }
        }
        return problems;
    }

    private String copySourceTo(String destination) {
        return dockerfile.copies().stream()
                .filter(copy -> copy.destination().equals(destination) && copy.sources().size() == 1)
                .map(copy -> copy.sources().get(0)).findFirst().orElse(null);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
