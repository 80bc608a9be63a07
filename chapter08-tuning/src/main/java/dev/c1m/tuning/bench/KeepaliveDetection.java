package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How long the kernel takes to declare a silent peer dead with {@code SO_KEEPALIVE}, and which
 * kinds of "dead" it cannot see.
 *
 * <p>The client (this JVM) connects to a {@link SilentPeer} in a child JVM, reads its
 * {@code hello} (the last byte it will receive: keepalive's idle time starts there), enables
 * {@code SO_KEEPALIVE} with {@code TCP_KEEPIDLE} / {@code TCP_KEEPINTERVAL} / {@code TCP_KEEPCOUNT}
 * ({@link ExtendedSocketOptions}), makes the peer silent one way or another, and blocks in
 * {@code read()} with a generous timeout (the window). Scenarios:
 * <ul>
 *   <li>{@code peer process killed}: SIGKILL; the peer's kernel closes its sockets (FIN), so the
 *       read ends at once, keepalive or not. The baseline.</li>
 *   <li>{@code packets dropped}: an {@code nft} rule drops every packet to and from the peer's
 *       port, as a pulled cable or a crashed host would; keepalive probes go unanswered and the
 *       kernel aborts the connection after idle + interval x count (ETIMEDOUT).</li>
 *   <li>{@code packets dropped, keepalive off}: nothing ever ends the read.</li>
 *   <li>{@code packets dropped, unacknowledged data}: the client writes before it reads; with data
 *       in flight keepalive does not run and retransmission decides ({@code tcp_retries2}, minutes).</li>
 *   <li>{@code peer frozen (SIGSTOP)}: the process is stopped but its kernel is not; it ACKs every
 *       probe, so keepalive never fires. Only an application heartbeat (chapter 4) notices a hung
 *       process.</li>
 * </ul>
 * The {@code nft} rules live in a table of their own ({@value #NFT_TABLE}), deleted after each run
 * and by a shutdown hook; scenarios that need it are skipped when {@code nft} is missing or not
 * permitted. A stopped peer is always continued (SIGCONT) and killed.
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.KeepaliveDetection [--settings 2:1:3,1:2:4] [--runs 3] [--out chapter08-tuning/results]
 * </pre>
 * {@code --settings} lists idle:interval:count in seconds. The client runs on the main thread; the
 * peer is a separate process. Prints detection times (median of the
 * runs) against the configured idle + interval x count, with the keepalive probes the kernel
 * counted ({@code TcpExtTCPKeepAlive}, machine-wide), and writes {@code keepalive.csv}.
 * Does not cover {@code TCP_USER_TIMEOUT} (not exposed by the JDK), which bounds the
 * unacknowledged-data case.
 */
public final class KeepaliveDetection {

    static final String NFT_TABLE = "c1m_keepalive_bench";

    private enum Silence { KILLED, DROPPED, DROPPED_KEEPALIVE_OFF, DROPPED_UNACKED_DATA, FROZEN }

    private record Setting(int idle, int interval, int count) {
        int expectedSeconds() {
            return idle + interval * count;
        }

        @Override
        public String toString() {
            return idle + "s + " + interval + "s x " + count;
        }
    }

    private record Outcome(double seconds, String how, long probes, long retransmits) {
    }

    private KeepaliveDetection() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, "usage: KeepaliveDetection [--settings I:N:C,...] [--runs N] [--out DIR]",
                List.of("settings", "runs", "out"), List.of());
        List<Setting> settings;
        try {
            settings = parseSettings(o.string("settings", "2:1:3,1:2:4"));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        int runs = o.integer("runs", 3, 1, 20);
        Path out = Path.of(o.string("out", "chapter08-tuning/results"));
        boolean nft = nftWorks();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            deleteTableQuietly();
            releaseFrozenPeer(); // Ctrl-C during a FROZEN window: a stopped process would never see its SIGINT
        }));
        System.out.printf("keepalive detection of a silent peer, %d runs, nft %s, JDK %s%n", runs,
                nft ? "available" : "NOT available: the dropped-packet scenarios are skipped", Runtime.version());
        System.out.printf("kernel defaults: tcp_keepalive_time %s s, intvl %s s, probes %s, tcp_retries2 %s%n",
                sysctl("tcp_keepalive_time"), sysctl("tcp_keepalive_intvl"), sysctl("tcp_keepalive_probes"), sysctl("tcp_retries2"));

        List<String> csv = new ArrayList<>(List.of("scenario,setting,expected_s,run,detected_after_s,outcome,keepalive_probes,retransmits"));
        System.out.printf("%n%-40s %-14s %10s %4s %12s  %s%n", "scenario", "setting", "expected s", "run", "detected s", "outcome");
        for (Setting setting : settings) {
            for (int run = 1; run <= runs; run++) {
                record(csv, Silence.KILLED, setting, run, measure(Silence.KILLED, setting));
                if (nft) {
                    record(csv, Silence.DROPPED, setting, run, measure(Silence.DROPPED, setting));
                }
            }
        }
        Setting first = settings.getFirst();
        if (nft) {
            record(csv, Silence.DROPPED_KEEPALIVE_OFF, first, 1, measure(Silence.DROPPED_KEEPALIVE_OFF, first));
            record(csv, Silence.DROPPED_UNACKED_DATA, first, 1, measure(Silence.DROPPED_UNACKED_DATA, first));
        }
        record(csv, Silence.FROZEN, first, 1, measure(Silence.FROZEN, first));
        Files.createDirectories(out);
        Files.write(out.resolve("keepalive.csv"), csv);
        System.out.println("\nwrote " + out.resolve("keepalive.csv"));
    }

    private static void record(List<String> csv, Silence silence, Setting setting, int run, Outcome outcome) {
        String scenario = describe(silence);
        System.out.printf(Locale.ROOT, "%-40s %-14s %10d %4d %12.3f  %s (keepalive probes %d, retransmits %d)%n", scenario,
                setting, setting.expectedSeconds(), run, outcome.seconds, outcome.how, outcome.probes, outcome.retransmits);
        csv.add(String.format(Locale.ROOT, "%s,%s,%d,%d,%.3f,%s,%d,%d", scenario.replace(",", ";"), setting,
                setting.expectedSeconds(), run, outcome.seconds, outcome.how.replace(",", ";"), outcome.probes, outcome.retransmits));
    }

    private static String describe(Silence silence) {
        return switch (silence) {
            case KILLED -> "peer process killed (SIGKILL)";
            case DROPPED -> "packets dropped (nft)";
            case DROPPED_KEEPALIVE_OFF -> "packets dropped, keepalive off";
            case DROPPED_UNACKED_DATA -> "packets dropped, unacknowledged data";
            case FROZEN -> "peer process frozen (SIGSTOP)";
        };
    }

    private static Outcome measure(Silence silence, Setting setting) throws Exception {
        Duration window = Duration.ofSeconds(3L * setting.expectedSeconds() + 5);
        try (ChildJvm peer = ChildJvm.start(List.of(), List.of("-Xmx32m", "-XX:+UseSerialGC"), SilentPeer.class);
             Socket client = new Socket()) {
            int port = Integer.parseInt(peer.awaitLine("listening on (\\d+)", Duration.ofSeconds(30)).group(1));
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            if (silence != Silence.DROPPED_KEEPALIVE_OFF) {
                client.setKeepAlive(true);
                client.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, setting.idle);
                client.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, setting.interval);
                client.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, setting.count);
            }
            InputStream in = client.getInputStream();
            readHello(in);
            long lastReceived = System.nanoTime();
            TcpExtCounters before = TcpExtCounters.read();
            long silentSince = lastReceived;
            try {
                switch (silence) {
                    case KILLED -> {
                        silentSince = System.nanoTime();
                        peer.close(); // SIGKILL, waits for the process to be gone
                    }
                    case DROPPED, DROPPED_KEEPALIVE_OFF -> dropPort(port);
                    case DROPPED_UNACKED_DATA -> {
                        dropPort(port);
                        client.getOutputStream().write("are you there?\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    case FROZEN -> {
                        frozenPeer = peer.pid();
                        signal("STOP", peer.pid());
                    }
                }
                client.setSoTimeout((int) window.toMillis());
                String how;
                try {
                    int read = in.read();
                    how = read < 0 ? "end of stream (FIN)" : "unexpected byte";
                } catch (SocketTimeoutException e) {
                    how = "NOT detected: read still waiting after the " + window.toSeconds() + " s window";
                } catch (IOException e) {
                    how = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                double seconds = (System.nanoTime() - silentSince) / 1e9;
                TcpExtCounters after = TcpExtCounters.read();
                return new Outcome(seconds, how, after.since(before, "TcpExtTCPKeepAlive"), after.since(before, "TcpRetransSegs"));
            } finally {
                deleteTableQuietly();
                if (silence == Silence.FROZEN) {
                    signal("CONT", peer.pid());
                    frozenPeer = 0;
                }
            }
        }
    }

    private static void readHello(InputStream in) throws IOException {
        byte[] hello = in.readNBytes(6);
        if (!new String(hello, StandardCharsets.US_ASCII).equals("hello\n")) {
            throw new IOException("peer did not say hello");
        }
    }

    /**
     * Drops every TCP packet to and from {@code port} in a table of our own, on the input hook, so that
     * the sender's stack sees its packets leave and never hears back, as on a network that loses them.
     */
    private static void dropPort(int port) throws IOException, InterruptedException {
        runWithInput(String.join("\n",
                "table inet " + NFT_TABLE + " {",
                "  chain in {",
                "    type filter hook input priority 0; policy accept;",
                "    tcp sport " + port + " drop",
                "    tcp dport " + port + " drop",
                "  }",
                "}", ""), "nft", "-f", "-");
    }

    private static boolean nftWorks() {
        try {
            deleteTableQuietly();
            dropPort(1); // a port nobody uses: proves nft is installed and permitted
            run("nft", "delete", "table", "inet", NFT_TABLE);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The peer stopped with SIGSTOP right now, 0 when none: the shutdown hook continues and kills it. */
    private static volatile long frozenPeer;

    private static void releaseFrozenPeer() {
        long pid = frozenPeer;
        if (pid != 0) {
            try {
                signal("CONT", pid);
            } catch (IOException | InterruptedException e) {
                // it is killed below all the same
            }
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static void deleteTableQuietly() {
        try {
            new ProcessBuilder("nft", "delete", "table", "inet", NFT_TABLE).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            // no nft: nothing to delete
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        run("kill", "-" + name, Long.toString(pid));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        runWithInput("", command);
    }

    private static void runWithInput(String input, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.trim());
        }
    }

    private static String sysctl(String name) throws IOException {
        return Files.readAllLines(Path.of("/proc/sys/net/ipv4", name)).getFirst().trim(); // not readString: it trusts the size procfs reports (0) and returns one byte
    }

    private static List<Setting> parseSettings(String list) {
        List<Setting> settings = new ArrayList<>();
        for (String part : list.split(",")) {
            String[] f = part.trim().split(":");
            if (f.length != 3) {
                throw new IllegalArgumentException("--settings: expected idle:interval:count, got " + part);
            }
            try {
                Setting s = new Setting(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
                if (s.idle < 1 || s.interval < 1 || s.count < 1 || s.count > 127 || s.expectedSeconds() > 120) {
                    throw new IllegalArgumentException("--settings: each value at least 1, count at most 127, "
                            + "idle + interval x count at most 120 s: " + part);
                }
                settings.add(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--settings: not a number in " + part);
            }
        }
        return settings;
    }
}
