package dev.c1m.tuning.bench;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Shows the stall that Nagle's algorithm and delayed ACKs make together, and that
 * {@code TCP_NODELAY} on the writing side removes it.
 *
 * <p>A request-reply exchange over one loopback connection: an 8-byte header and a 100-byte body
 * each way. When one side sends its message in <em>two</em> writes (header, then body), Nagle
 * holds the second small segment until the first is acknowledged; the receiver, still waiting for
 * the body before it can answer, has nothing to piggyback the ACK on and delays it (Linux: at least
 * 40 ms). Five configurations, each on a fresh connection:
 * <ul>
 *   <li>{@code one write, Nagle on}: the baseline, nothing to hold back;</li>
 *   <li>{@code client writes header+body, Nagle on} / {@code TCP_NODELAY}: the request is split;</li>
 *   <li>{@code server writes header+body, Nagle on} / {@code TCP_NODELAY}: the reply is split.</li>
 * </ul>
 * {@code TCP_NODELAY} is set on the side that splits its message. The client runs on the main
 * thread, the server on one platform thread per configuration in this JVM (latency, not memory,
 * is measured); both ends use unbuffered socket streams so that every {@code write} is one
 * {@code send()}.
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.NagleDelayedAck [--requests 200] [--runs 3] [--out chapter08-tuning/results]
 * </pre>
 * Prints round-trip p50 / p99 / max and the number of round trips of 20 ms or more per
 * configuration (over all runs), and writes {@code nagle-delayed-ack.csv} (one row per
 * configuration and run). Does not cover: {@code TCP_CORK}, {@code TCP_QUICKACK}, or a buffered
 * writer that flushes once (the usual fix besides {@code TCP_NODELAY}: one write, no split).
 */
public final class NagleDelayedAck {

    private static final int HEADER_BYTES = 8;
    private static final int BODY_BYTES = 100;
    private static final long STALL_NANOS = 20_000_000L;

    private enum Split { NONE, CLIENT, SERVER }

    private record Config(String name, Split split, boolean noDelay) {
    }

    private static final List<Config> CONFIGS = List.of(
            new Config("one write, Nagle on (baseline)", Split.NONE, false),
            new Config("client writes header+body, Nagle on", Split.CLIENT, false),
            new Config("client writes header+body, TCP_NODELAY", Split.CLIENT, true),
            new Config("server writes header+body, Nagle on", Split.SERVER, false),
            new Config("server writes header+body, TCP_NODELAY", Split.SERVER, true));

    private NagleDelayedAck() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, "usage: NagleDelayedAck [--requests N] [--runs N] [--out DIR]",
                List.of("requests", "runs", "out"), List.of());
        int requests = o.integer("requests", 200, 10, 100_000);
        int runs = o.integer("runs", 3, 1, 20);
        Path out = Path.of(o.string("out", "chapter08-tuning/results"));
        System.out.printf("Nagle + delayed ACK: %d request-reply round trips of %d+%d bytes per configuration and run, %d runs, JDK %s%n",
                requests, HEADER_BYTES, BODY_BYTES, runs, Runtime.version());

        List<String> csv = new ArrayList<>(List.of("configuration,run,requests,p50_us,p99_us,max_us,stalls_20ms"));
        List<List<Long>> all = new ArrayList<>();
        CONFIGS.forEach(c -> all.add(new ArrayList<>()));
        for (int run = 1; run <= runs; run++) {
            for (int i = 0; i < CONFIGS.size(); i++) {
                Config config = CONFIGS.get(i);
                long[] rtts = measure(config, requests);
                SampleStats s = SampleStats.of(rtts);
                System.out.printf("  run %d  %-42s p50 %8.1f us  p99 %8.1f us  stalls %d%n", run, config.name,
                        s.median() / 1e3, s.percentile(99) / 1e3, s.countAtLeast(STALL_NANOS));
                csv.add(String.format(Locale.ROOT, "%s,%d,%d,%.1f,%.1f,%.1f,%d", config.name.replace(",", ";"), run, requests,
                        s.median() / 1e3, s.percentile(99) / 1e3, s.max() / 1e3, s.countAtLeast(STALL_NANOS)));
                for (long rtt : rtts) {
                    all.get(i).add(rtt);
                }
            }
        }
        System.out.printf("%n%-42s %10s %10s %10s %16s%n", "configuration (all runs)", "p50 ms", "p99 ms", "max ms", "RTT >= 20 ms");
        for (int i = 0; i < CONFIGS.size(); i++) {
            SampleStats s = SampleStats.of(all.get(i).stream().mapToLong(Long::longValue).toArray());
            System.out.printf(Locale.ROOT, "%-42s %10.3f %10.3f %10.3f %9d of %d%n", CONFIGS.get(i).name, s.median() / 1e6,
                    s.percentile(99) / 1e6, s.max() / 1e6, s.countAtLeast(STALL_NANOS), s.count());
        }
        Files.createDirectories(out);
        Files.write(out.resolve("nagle-delayed-ack.csv"), csv);
        System.out.println("\nwrote " + out.resolve("nagle-delayed-ack.csv"));
    }

    /** One fresh connection, {@code requests} round trips; returns each round trip in nanoseconds. */
    private static long[] measure(Config config, int requests) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofPlatform().name("nagle-server").start(() -> serve(listener, config, requests));
            long[] rtts = new long[requests];
            try (Socket client = new Socket()) {
                client.setTcpNoDelay(config.split == Split.CLIENT && config.noDelay);
                client.connect(new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort()));
                OutputStream out = client.getOutputStream();
                DataInputStream in = new DataInputStream(client.getInputStream());
                byte[] message = new byte[HEADER_BYTES + BODY_BYTES];
                for (int i = 0; i < requests; i++) {
                    long start = System.nanoTime();
                    send(out, message, config.split == Split.CLIENT);
                    in.readFully(message);
                    rtts[i] = System.nanoTime() - start;
                }
            }
            server.join();
            return rtts;
        }
    }

    private static void serve(ServerSocket listener, Config config, int requests) {
        try (Socket socket = listener.accept()) {
            socket.setTcpNoDelay(config.split == Split.SERVER && config.noDelay);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            byte[] message = new byte[HEADER_BYTES + BODY_BYTES];
            for (int i = 0; i < requests; i++) {
                in.readFully(message); // a server must see the whole request to answer
                send(out, message, config.split == Split.SERVER);
            }
        } catch (IOException e) {
            throw new IllegalStateException("server side failed", e);
        }
    }

    private static void send(OutputStream out, byte[] message, boolean split) throws IOException {
        if (split) {
            out.write(message, 0, HEADER_BYTES);
            out.write(message, HEADER_BYTES, BODY_BYTES);
        } else {
            out.write(message);
        }
    }
}
