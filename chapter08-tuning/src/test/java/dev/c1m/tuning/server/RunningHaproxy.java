package dev.c1m.tuning.server;

import dev.c1m.echo.testing.Await;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An HAProxy child process for tests, run in the foreground ({@code -db}) with the chapter's
 * {@code haproxy/haproxy.cfg} and the environment variables that file reads, and its runtime API
 * on a unix socket ({@link UnixDomainSocketAddress}, no {@code socat}).
 *
 * <p>HAProxy needs an explicit frontend port: {@link #start} takes one that is free right now and
 * starts again on another when somebody took it in between ("cannot bind socket").
 * Threads: none of its own; used by the test thread. {@link #close()} stops the process (SIGTERM,
 * then SIGKILL after 5 s) and waits for it.
 */
final class RunningHaproxy implements AutoCloseable {

    static final Path CONFIG = Path.of("haproxy", "haproxy.cfg"); // tests run in the module directory
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final int BIND_ATTEMPTS = 5;

    /** One row of {@code show stat}: a server, a frontend or a backend. */
    record Stat(String proxy, String name, int currentSessions, int maxSessions, String status, String checkStatus) {
    }

    private final Process process;
    private final Path statsSocket;
    private final Path log;
    private final InetSocketAddress frontend;

    private RunningHaproxy(Process process, Path statsSocket, Path log, InetSocketAddress frontend) {
        this.process = process;
        this.statsSocket = statsSocket;
        this.log = log;
        this.frontend = frontend;
    }

    /** The haproxy binary on the PATH, or in /usr/sbin or /usr/local/sbin (Debian's place, off a user's PATH). */
    static Optional<Path> findBinary() {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.concat(Arrays.stream(path.split(File.pathSeparator)), Stream.of("/usr/sbin", "/usr/local/sbin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "haproxy"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts {@code binary} with {@link #CONFIG}, backends {@code node1} and {@code node2}, and
     * {@code settings} as further environment variables (C1M_CHECK_INTERVAL, ...); returns once
     * its runtime API answers.
     */
    static RunningHaproxy start(Path binary, Path dir, InetSocketAddress node1, InetSocketAddress node2,
                                Map<String, String> settings) throws IOException, InterruptedException {
        IOException lastFailure = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            InetSocketAddress frontend = new InetSocketAddress("127.0.0.1", freePort());
            Path socket = dir.resolve("haproxy-" + attempt + ".sock");
            Path log = dir.resolve("haproxy-" + attempt + ".log");
            ProcessBuilder builder = new ProcessBuilder(binary.toString(), "-db", "-f", CONFIG.toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.putAll(settings);
            env.put("C1M_FRONTEND", "127.0.0.1:" + frontend.getPort());
            env.put("C1M_NODE1", "127.0.0.1:" + node1.getPort());
            env.put("C1M_NODE2", "127.0.0.1:" + node2.getPort());
            env.put("C1M_STATS_SOCKET", socket.toString());
            RunningHaproxy haproxy = new RunningHaproxy(builder.start(), socket, log, frontend);
            try {
                haproxy.awaitRuntimeApi();
                return haproxy;
            } catch (IOException e) {
                haproxy.close();
                if (!Files.readString(log).contains("cannot bind")) {
                    throw e;
                }
                lastFailure = e; // the port was taken between freePort() and HAProxy's bind
            }
        }
        throw lastFailure;
    }

    /** A port free at this moment (another process may take it before HAProxy binds it). */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private void awaitRuntimeApi() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IOException("haproxy exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            if (Files.exists(statsSocket)) {
                try {
                    if (command("show info").contains("Pid:")) {
                        return;
                    }
                } catch (IOException notYet) {
                    // the socket file exists a moment before HAProxy accepts on it
                }
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new IOException("haproxy's runtime API did not answer within " + STARTUP + ": " + Files.readString(log));
    }

    InetSocketAddress frontend() {
        return frontend;
    }

    /** Sends one command to the runtime API and returns its whole answer (HAProxy then closes). */
    String command(String line) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(statsSocket));
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                answer.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return answer.toString(StandardCharsets.US_ASCII);
        }
    }

    /** {@code show stat}, by "proxy/name": "nodes/node1", "c1m/FRONTEND", ... */
    Map<String, Stat> stats() throws IOException {
        Map<String, Stat> rows = new HashMap<>();
        for (String line : command("show stat").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",", -1);
            // fields 0 pxname, 1 svname, 4 scur, 5 smax, 17 status, 36 check_status (HAProxy's CSV format)
            rows.put(f[0] + "/" + f[1], new Stat(f[0], f[1], number(f[4]), number(f[5]), f[17], f[36]));
        }
        return rows;
    }

    Stat stat(String proxyAndName) throws IOException {
        Stat stat = stats().get(proxyAndName);
        if (stat == null) {
            throw new IllegalArgumentException("no row " + proxyAndName + " in show stat");
        }
        return stat;
    }

    /** Waits until the server's status is exactly {@code status} (UP, DOWN, DRAIN; not "UP 1/2", a server going down). */
    void awaitStatus(String server, String status, Duration timeout) throws InterruptedException {
        Await.until(server + " " + status, timeout, () -> {
            try {
                return stat("nodes/" + server).status().equals(status);
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static int number(String field) {
        return field.isEmpty() ? 0 : Integer.parseInt(field);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
