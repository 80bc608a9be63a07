package dev.c1m.lifecycle.bench;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineReader;
import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.lifecycle.KernelSocket;
import dev.c1m.lifecycle.SocketTable;
import dev.c1m.lifecycle.TcpState;
import dev.c1m.lifecycle.demo.LifecycleServerMain;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;

/**
 * How many TIME_WAIT sockets a client leaves behind when it opens and closes many short
 * connections, with an orderly close and with {@code SO_LINGER 0}, and how fast each runs.
 *
 * <pre>
 * ./mvnw -q -pl chapter02-lifecycle -am package -DskipTests
 * java -cp chapter02-lifecycle/target/classes:chapter01-echo/target/classes \
 *     dev.c1m.lifecycle.bench.TimeWaitBench --connections 10000 --rounds 5 --out chapter02-lifecycle/results
 * </pre>
 *
 * <p>Each connection: connect, send one line, read its reply, close (the client closes first).
 * The server is {@link LifecycleServerMain} in a JVM of its own, started fresh for every round
 * and mode, so that each run has its own server port. Every run also binds its client sockets
 * to a source address of its own (127.0.2.1, 127.0.2.2, ...), so that the tens of thousands of
 * TIME_WAIT entries the benchmark leaves for a minute never hold ports on 127.0.0.1, where other
 * programs bind. Half a second after a run, its sockets are counted in {@code /proc/net/tcp*}
 * by their exact addresses and ports (source address, the client ports it used, server port):
 * the table holds every socket of the machine, and other programs may use the same addresses. The
 * two modes alternate which goes first from round to round. Prints a table per run, medians at
 * the end, and writes {@code time-wait.csv} and {@code time-wait.svg} to the output directory.
 * Linux only.
 */
public final class TimeWaitBench {

    private static final String USAGE = """
            usage: TimeWaitBench [--connections N] [--rounds N] [--out DIR]
              --connections  short connections per run (default 10000)
              --rounds       runs of each mode (default 5)
              --out          directory for time-wait.csv and time-wait.svg (default chapter02-lifecycle/results)""";

    private static final Duration IO_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SETTLE = Duration.ofMillis(500);

    enum Mode { ORDERLY_CLOSE, LINGER_ZERO }

    record Run(int round, Mode mode, int connections, long elapsedMillis, long clientTimeWait, long serverTimeWait,
               long clientOtherStates) {

        double connectionsPerSecond() {
            return connections * 1000.0 / elapsedMillis;
        }
    }

    private TimeWaitBench() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("connections", "rounds", "out"), List.of());
        int connections = options.integer("connections", 10_000, 1, 14_000);
        int rounds = options.integer("rounds", 5, 1, 50);
        Path out = Path.of(options.string("out", "chapter02-lifecycle/results"));
        if (!SocketTable.isSupported()) {
            System.err.println("error: this benchmark reads /proc/net/tcp and runs on Linux only");
            System.exit(2);
        }
        System.out.printf("connections per run %d, rounds %d, output %s, java %s, load %s%n",
                connections, rounds, out, Runtime.version(), loadAverage());
        System.out.printf("%-5s %-13s %11s %10s %12s %12s %12s%n",
                "round", "mode", "elapsed ms", "conn/s", "client TW", "server TW", "client other");

        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Mode> order = round % 2 == 1 ? List.of(Mode.ORDERLY_CLOSE, Mode.LINGER_ZERO)
                    : List.of(Mode.LINGER_ZERO, Mode.ORDERLY_CLOSE);
            for (Mode mode : order) {
                InetAddress source = InetAddress.getByName("127.0.2." + (runs.size() + 1));
                Run run = runOnce(round, mode, connections, source);
                runs.add(run);
                System.out.printf(Locale.ROOT, "%-5d %-13s %11d %10.0f %12d %12d %12d%n", run.round(), run.mode(),
                        run.elapsedMillis(), run.connectionsPerSecond(), run.clientTimeWait(), run.serverTimeWait(),
                        run.clientOtherStates());
            }
        }
        printMedians(runs);
        Files.createDirectories(out);
        Files.writeString(out.resolve("time-wait.csv"), csv(runs));
        Files.writeString(out.resolve("time-wait.svg"), svg(runs, connections));
        System.out.printf("load at end %s; wrote %s and %s%n", loadAverage(),
                out.resolve("time-wait.csv"), out.resolve("time-wait.svg"));
    }

    private static Run runOnce(int round, Mode mode, int connections, InetAddress source) throws Exception {
        try (ChildJvm server = ChildJvm.start(List.of(), List.of("-Xmx256m"), LifecycleServerMain.class,
                "--port", "0")) {
            Matcher listening = server.awaitLine("listening on ([0-9.]+):(\\d+)", Duration.ofSeconds(30));
            InetSocketAddress address = new InetSocketAddress(listening.group(1), Integer.parseInt(listening.group(2)));
            int serverPort = address.getPort();

            BitSet clientPorts = new BitSet(65536);
            long start = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                clientPorts.set(oneShortConnection(source, address, mode == Mode.LINGER_ZERO));
                if ((i + 1) % 2_500 == 0 && i + 1 < connections) {
                    System.err.printf("  %s round %d: %d/%d%n", mode, round, i + 1, connections);
                }
            }
            long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();

            Thread.sleep(SETTLE);
            // Only this run's sockets: the exact source address, client ports and server port it used.
            List<KernelSocket> all = SocketTable.all();
            List<KernelSocket> clientSide = all.stream()
                    .filter(s -> s.local().getAddress().equals(source) && clientPorts.get(s.local().getPort())
                            && s.remote().getPort() == serverPort).toList();
            List<KernelSocket> serverSide = all.stream()
                    .filter(s -> s.remote().getAddress().equals(source) && clientPorts.get(s.remote().getPort())
                            && s.local().getPort() == serverPort).toList();
            long clientTimeWait = clientSide.stream().filter(s -> s.state() == TcpState.TIME_WAIT).count();
            long clientOther = clientSide.size() - clientTimeWait;
            long serverTimeWait = serverSide.stream().filter(s -> s.state() == TcpState.TIME_WAIT).count();
            ProcessHandle.of(server.pid()).ifPresent(ProcessHandle::destroy);
            server.awaitExit(Duration.ofSeconds(30));
            return new Run(round, mode, connections, elapsedMillis, clientTimeWait, serverTimeWait, clientOther);
        }
    }

    /** Returns the client's local port. */
    private static int oneShortConnection(InetAddress source, InetSocketAddress server, boolean lingerZero)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(source, 0));
            socket.setTcpNoDelay(true);
            socket.connect(server, Math.toIntExact(IO_TIMEOUT.toMillis()));
            socket.setSoTimeout(Math.toIntExact(IO_TIMEOUT.toMillis()));
            OutputStream out = socket.getOutputStream();
            out.write(EchoProtocol.lineBytes("ping"));
            String reply = new LineReader(socket.getInputStream(), 64).readLine();
            if (!"echo: ping".equals(reply)) {
                throw new IOException("unexpected reply: " + reply);
            }
            if (lingerZero) {
                socket.setSoLinger(true, 0);
            }
            return socket.getLocalPort();
        } finally {
            socket.close();
        }
    }

    private static void printMedians(List<Run> runs) {
        System.out.println();
        System.out.printf("%-13s %16s %14s %16s %16s%n", "mode (median)", "elapsed ms", "conn/s", "client TW", "server TW");
        for (Mode mode : Mode.values()) {
            List<Run> ofMode = runs.stream().filter(r -> r.mode() == mode).toList();
            System.out.printf(Locale.ROOT, "%-13s %16.0f %14.0f %16.0f %16.0f%n", mode,
                    median(ofMode, Run::elapsedMillis), median(ofMode, Run::connectionsPerSecond),
                    median(ofMode, Run::clientTimeWait), median(ofMode, Run::serverTimeWait));
        }
    }

    static double median(List<Run> runs, ToDoubleFunction<Run> metric) {
        double[] values = runs.stream().mapToDouble(metric).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static String csv(List<Run> runs) {
        StringBuilder csv = new StringBuilder(
                "round,mode,connections,elapsed_ms,connections_per_s,client_time_wait,server_time_wait,client_other_states\n");
        for (Run run : runs) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%d,%d,%.0f,%d,%d,%d%n", run.round(), run.mode(),
                    run.connections(), run.elapsedMillis(), run.connectionsPerSecond(), run.clientTimeWait(),
                    run.serverTimeWait(), run.clientOtherStates()));
        }
        return csv.toString();
    }

    /** Two bar charts side by side: median TIME_WAIT left behind, median connections per second. */
    private static String svg(List<Run> runs, int connections) {
        List<Run> orderly = runs.stream().filter(r -> r.mode() == Mode.ORDERLY_CLOSE).toList();
        List<Run> linger = runs.stream().filter(r -> r.mode() == Mode.LINGER_ZERO).toList();
        double[] timeWait = {median(orderly, Run::clientTimeWait), median(linger, Run::clientTimeWait)};
        double[] rate = {median(orderly, Run::connectionsPerSecond), median(linger, Run::connectionsPerSecond)};
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"320\" "
                + "font-family=\"sans-serif\" font-size=\"13\">\n");
        svg.append("<rect width=\"640\" height=\"320\" fill=\"white\"/>\n");
        panel(svg, 20, "TIME_WAIT left on the client (median)", timeWait,
                Math.max(connections, Math.max(timeWait[0], timeWait[1])), "%.0f");
        panel(svg, 340, "connections per second (median)", rate, Math.max(rate[0], rate[1]) * 1.15, "%.0f");
        svg.append(String.format(Locale.ROOT, "<text x=\"320\" y=\"310\" text-anchor=\"middle\" fill=\"#555\">"
                + "%d short connections per run, medians of %d runs per mode</text>\n", connections, orderly.size()));
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(StringBuilder svg, int left, String title, double[] values, double max, String format) {
        String[] labels = {"orderly close", "SO_LINGER 0"};
        String[] colours = {"#4e79a7", "#e15759"};
        int baseY = 260;
        int height = 200;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">%s</text>%n",
                left + 140, title));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                left + 20, baseY, left + 260, baseY));
        for (int i = 0; i < 2; i++) {
            double barHeight = max <= 0 ? 0 : height * values[i] / max;
            int x = left + 50 + i * 110;
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%.1f\" width=\"70\" height=\"%.1f\" fill=\"%s\"/>%n",
                    x, baseY - barHeight, barHeight, colours[i]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                    x + 35, baseY - barHeight - 6, String.format(Locale.ROOT, format, values[i])));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x + 35, baseY + 18, labels[i]));
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
