package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AotCacheTest {

    @TempDir
    Path dir;

    @Test
    void aJdkBefore25CannotHaveACache() throws IOException {
        Path jar = Files.writeString(dir.resolve("app.jar"), "not really a jar");

        assertThat(AotCache.unavailableBecause(21, jar.toString())).hasValue("JDK 21 has no AOT cache (JDK 25+ has)");
        assertThat(AotCache.unavailableBecause(25, jar.toString())).isEmpty();
    }

    @Test
    void aClasspathWithADirectoryCannotHaveACacheAndTheReasonNamesIt() throws IOException {
        Path jar = Files.writeString(dir.resolve("app.jar"), "not really a jar");
        Path classes = Files.createDirectory(dir.resolve("classes"));

        assertThat(AotCache.unavailableBecause(25, jar + File.pathSeparator + classes))
                .hasValue("the classpath has a directory (" + classes + "), and a cache needs jars only");
    }

    @Test
    void theSameJdkOptionsAndJarsNameTheSameFile() throws IOException {
        Path jar = Files.writeString(dir.resolve("app.jar"), "version 1");

        AotCache first = AotCache.in(dir, "worker", "/jdk", "25.0.3", List.of("-Xmx64m"), jar.toString());
        AotCache second = AotCache.in(dir, "worker", "/jdk", "25.0.3", List.of("-Xmx64m"), jar.toString());

        assertThat(first).isEqualTo(second);
        assertThat(first.file().getParent()).isEqualTo(dir);
        assertThat(first.file().getFileName().toString()).matches("worker-[0-9a-f]{12}\\.aot");
    }

    @Test
    void aRebuiltJarNamesANewFileSoAStaleCacheIsNeverUsed() throws IOException {
        Path jar = Files.writeString(dir.resolve("app.jar"), "version 1");
        AotCache before = AotCache.in(dir, "worker", "/jdk", "25.0.3", List.of(), jar.toString());

        Files.writeString(jar, "version 1");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2_000));
        AotCache sameSizeNewerJar = AotCache.in(dir, "worker", "/jdk", "25.0.3", List.of(), jar.toString());
        Files.writeString(jar, "version 2, longer");
        AotCache otherSize = AotCache.in(dir, "worker", "/jdk", "25.0.3", List.of(), jar.toString());

        assertThat(List.of(before.file(), sameSizeNewerJar.file(), otherSize.file())).doesNotHaveDuplicates();
    }

    @Test
    void anotherJdkOrOtherOptionsNameANewFile() throws IOException {
        Path jar = Files.writeString(dir.resolve("app.jar"), "version 1");
        AotCache base = AotCache.in(dir, "load", "/jdk", "25.0.3", List.of("-Xmx96m"), jar.toString());

        assertThat(List.of(base.file(),
                AotCache.in(dir, "load", "/jdk", "25.0.4", List.of("-Xmx96m"), jar.toString()).file(),
                AotCache.in(dir, "load", "/other-jdk", "25.0.3", List.of("-Xmx96m"), jar.toString()).file(),
                AotCache.in(dir, "load", "/jdk", "25.0.3", List.of("-Xmx64m"), jar.toString()).file(),
                AotCache.in(dir, "load", "/jdk", "25.0.3", List.of("-Xmx96m", "-Xmn8m"), jar.toString()).file()))
                .doesNotHaveDuplicates();
    }

    @Test
    void aCacheIsTrainedOnlyOnceItsFileExists() throws IOException {
        AotCache cache = new AotCache(dir.resolve("worker-0123456789ab.aot"));
        assertThat(cache.trained()).isFalse();

        Files.write(cache.file(), new byte[] {1});

        assertThat(cache.trained()).isTrue();
    }

    @Test
    void aJvmStartedWithTheTrainedCacheLoadsTheApplicationsClassesFromIt() throws Exception {
        assumeTrue(Runtime.version().feature() >= AotCache.FIRST_JDK, "the JVM running the tests is older than JDK 25");
        Path jar = jarWith(Greeter.class);
        List<String> options = List.of("-Xmx32m", "-XX:+UseSerialGC");
        AotCache cache = AotCache.in(dir, "greeter", System.getProperty("java.home"), System.getProperty("java.vm.version"),
                options, jar.toString());

        String training = runJava(cache.trainingOptions(), options, jar);
        String used = runJava(cache.useOptions(), concat(options, List.of("-Xlog:class+load=info")), jar);

        assertThat(training).contains("hello from the jar");
        assertThat(cache.trained()).isTrue();
        assertThat(used).contains("hello from the jar")
                .containsPattern(Greeter.class.getName().replace("$", "\\$") + " source: shared objects file");
    }

    @Test
    void aJvmWithAnUnusableCacheStillStarts() throws Exception {
        assumeTrue(Runtime.version().feature() >= AotCache.FIRST_JDK, "the JVM running the tests is older than JDK 25");
        Path jar = jarWith(Greeter.class);
        AotCache garbage = new AotCache(Files.writeString(dir.resolve("garbage.aot"), "no cache at all"));

        assertThat(runJava(garbage.useOptions(), List.of("-Xmx32m"), jar)).contains("hello from the jar");
    }

    /** The application of the tests above, run from a jar of its own. */
    static final class Greeter {
        public static void main(String[] args) {
            System.out.println("hello from the jar");
        }
    }

    private Path jarWith(Class<?> main) throws IOException {
        String entry = main.getName().replace('.', '/') + ".class";
        Path jar = dir.resolve("greeter.jar");
        try (InputStream in = main.getClassLoader().getResourceAsStream(entry);
             JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private static String runJava(List<String> cacheOptions, List<String> options, Path jar) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(cacheOptions);
        command.addAll(List.of("-cp", jar.toString(), Greeter.class.getName()));
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(java.waitFor(30, TimeUnit.SECONDS)).as("the JVM exited").isTrue();
            return output;
        } finally {
            java.destroyForcibly();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
