package dev.c1m.tuning;

import dev.c1m.concurrency.load.LatencyHistogram;
import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.ReservedPort;
import dev.c1m.lifecycle.KernelSocket;
import dev.c1m.lifecycle.SocketTable;
import dev.c1m.lifecycle.ServerLimits;
import dev.c1m.lifecycle.TcpState;
import dev.c1m.tuning.server.NodeSettings;
import dev.c1m.tuning.server.ServerNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.channels.ServerSocketChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The load generator in this JVM against chapter 1's echo server (one virtual thread per connection). */
@Timeout(30)
class LoadEngineTest {

    private final Set<String> peers = ConcurrentHashMap.newKeySet();
    private TcpServer server;
    private ServerSocket resetter;
    private Thread resetterThread;

    @BeforeEach
    void startServer() throws IOException {
        LineEchoHandler echo = new LineEchoHandler();
        server = TcpServer.start("load-test", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 1024),
                socket -> {
                    peers.add(socket.getInetAddress().getHostAddress());
                    echo.handle(socket);
                }, Executors.newVirtualThreadPerTaskExecutor(), AcceptBackoff.standard());
    }

    @AfterEach
    void stopServers() throws Exception {
        server.close();
        if (resetter != null) {
            resetter.close();
            resetterThread.join();
        }
    }

    private LoadPlan plan(String mode, int port, String... options) {
        List<String> args = new ArrayList<>(List.of(mode, "--port", "" + port, "--connect-rate", "0",
                "--reply-timeout", "10s", "--quiet"));
        args.addAll(List.of(options));
        return LoadPlan.parse(args.toArray(String[]::new));
    }

    private LoadReport run(LoadPlan plan) throws IOException {
        return new LoadEngine(plan).run();
    }

    private static void assertPercentilesOrdered(LatencyHistogram h) {
        assertThat(h.percentile(50)).isPositive().isLessThanOrEqualTo(h.percentile(90));
        assertThat(h.percentile(90)).isLessThanOrEqualTo(h.percentile(99));
        assertThat(h.percentile(99)).isLessThanOrEqualTo(h.percentile(99.9));
        assertThat(h.percentile(99.9)).isLessThanOrEqualTo(h.max());
    }

    @Test
    void echoModeCountsAddUpAndPercentilesAreOrdered() throws IOException {
        LoadReport report = run(plan("echo", server.localAddress().getPort(), "--connections", "20",
                "--warmup", "200ms", "--duration", "1s", "--message-bytes", "100"));

        assertThat(report.connected()).isEqualTo(20);
        assertThat(report.answered()).isPositive();
        assertThat(report.sent()).isEqualTo(report.answered() + report.failed());
        assertThat(report.failed()).isZero();
        assertThat(report.errors()).isEmpty();
        assertThat(report.latency().count()).isEqualTo(report.answered());
        assertPercentilesOrdered(report.latency());
    }

    @Test
    void stopsByItselfAtItsDurationAfterDrainingAnswers() throws IOException {
        long start = System.nanoTime();
        LoadReport report = run(plan("echo", server.localAddress().getPort(), "--connections", "5",
                "--warmup", "0s", "--duration", "500ms", "--reply-timeout", "1s"));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        // no earlier than the duration; no later than duration + the drain's reply timeout + slack
        assertThat(elapsedMillis).isBetween(500L, 500L + 1000 + 2000);
        assertThat(report.measuredNanos()).isBetween(500_000_000L, 2_500_000_000L);
        assertThat(report.sent()).isPositive().isEqualTo(report.answered() + report.failed());
    }

    @Test
    void holdModeKeepsEveryConnectionAndGetsEveryHeartbeatAnsweredFromTwoSources() throws IOException {
        LoadReport report = run(plan("hold", server.localAddress().getPort(), "--connections", "200",
                "--sources", "2", "--heartbeat", "100ms", "--hold", "700ms", "--heartbeat-reply", "echo"));

        assertThat(report.connected()).isEqualTo(200);
        assertThat(report.openAtEnd()).isEqualTo(200);
        assertThat(report.sent()).isGreaterThanOrEqualTo(200).isEqualTo(report.answered());
        assertThat(report.errors()).isEmpty();
        assertPercentilesOrdered(report.latency());
        assertThat(peers).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3");
    }

    @Test
    void theEndOfARunResetsItsConnectionsSoThatNoneOfItsPortsIsLeftInTimeWait() throws Exception {
        assumeTrue(SocketTable.isSupported(), "reading TCP states needs Linux /proc/net/tcp");
        Set<InetSocketAddress> clientEnds = ConcurrentHashMap.newKeySet();
        AtomicLong resetsSeen = new AtomicLong();
        try (ServerSocket listener = new ServerSocket(0, 100, InetAddress.getByName("127.0.0.1"));
             var readers = Executors.newVirtualThreadPerTaskExecutor()) {
            Thread acceptor = Thread.ofPlatform().name("accept-and-read").start(() -> {
                while (true) {
                    try {
                        Socket s = listener.accept();
                        clientEnds.add((InetSocketAddress) s.getRemoteSocketAddress());
                        readers.submit(() -> readUntilTheEnd(s, resetsSeen));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });

            LoadReport report = run(plan("hold", listener.getLocalPort(), "--connections", "50", "--hold", "300ms"));
            listener.close();
            acceptor.join();
            readers.shutdown();
            assertThat(readers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

            assertThat(report.connected()).isEqualTo(50);
            assertThat(clientEnds).hasSize(50);
            assertThat(resetsSeen).as("every connection ended with a reset, not an end of stream").hasValue(50);
            // an orderly close from the generator would leave each of these in TIME_WAIT for 60 s
            assertThat(SocketTable.all()).filteredOn(s -> clientEnds.contains(s.local()))
                    .extracting(KernelSocket::state).doesNotContain(TcpState.TIME_WAIT);
        }
    }

    @Test
    void theReportIsHandedOverWhileTheConnectionsAreStillOpenAndTheyAreResetAfterwards() throws IOException {
        assumeTrue(SocketTable.isSupported(), "reading TCP states needs Linux /proc/net/tcp");
        InetSocketAddress serverAddress = server.localAddress();
        AtomicReference<List<TcpState>> whenReported = new AtomicReference<>();

        LoadReport report = new LoadEngine(plan("hold", serverAddress.getPort(), "--connections", "20", "--hold", "300ms"))
                .run(measured -> whenReported.set(clientEndsOf(serverAddress)));

        assertThat(report.openAtEnd()).isEqualTo(20);
        assertThat(whenReported.get()).hasSize(20).containsOnly(TcpState.ESTABLISHED);
        assertThat(clientEndsOf(serverAddress)).as("reset: gone at once, no TIME_WAIT").isEmpty();
    }

    private static List<TcpState> clientEndsOf(InetSocketAddress serverAddress) {
        return SocketTable.all().stream().filter(s -> s.remote().equals(serverAddress)).map(KernelSocket::state).toList();
    }

    private static void readUntilTheEnd(Socket socket, AtomicLong resetsSeen) {
        try (socket) {
            while (socket.getInputStream().read() >= 0) {
                // the generator sends nothing without heartbeats; wait for how the connection ends
            }
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                resetsSeen.incrementAndGet();
            }
        }
    }

    @Test
    void holdModeReportsRoundTripsPerStepAlignedToItsStartAndTheStepsAddUpToTheRun() throws IOException {
        LoadReport report = run(plan("hold", server.localAddress().getPort(), "--connections", "20",
                "--heartbeat", "50ms", "--hold", "1s", "--step-duration", "200ms", "--heartbeat-reply", "echo"));

        List<LoadReport.Step> steps = report.steps();
        assertThat(steps).hasSizeGreaterThanOrEqualTo(5);
        assertThat(steps.stream().mapToLong(LoadReport.Step::answered).sum()).isEqualTo(report.answered()).isPositive();
        assertThat(steps.stream().mapToLong(LoadReport.Step::sent).sum()).isEqualTo(report.sent());
        assertThat(steps.stream().mapToLong(s -> s.latency().count()).sum()).isEqualTo(report.latency().count());
        long endOfStep = 0;
        for (int k = 0; k < steps.size() - 1; k++) { // the last one ends with the run
            endOfStep += steps.get(k).nanos();
            assertThat(endOfStep).as("step %d ends no earlier than %d steps after the start", k, k + 1)
                    .isGreaterThanOrEqualTo((k + 1) * 200_000_000L);
        }
        assertThat(steps.getLast().connections()).isEqualTo(20);
    }

    @Test
    void aBatchWindowLetsOneWakeUpReadTheRepliesOfManyConnections() throws IOException {
        Duration window = Duration.ofMillis(100);
        LoadReport report = run(plan("hold", server.localAddress().getPort(), "--connections", "40",
                "--heartbeat", "200ms", "--hold", "2s", "--step-duration", "500ms", "--heartbeat-reply", "echo",
                "--batch-window", window.toMillis() + "ms"));

        assertThat(report.sent()).isPositive().isEqualTo(report.answered());
        assertThat(report.errors()).isEmpty();
        // Between the ramp (step 0) and the run's end, every turn that read replies was followed by
        // a pause of the window, so a step has at most one wake-up per window (plus the one it
        // started in), however the replies of 40 connections fall in time.
        List<LoadReport.Step> holding = report.steps().subList(1, report.steps().size() - 1);
        assertThat(holding).hasSizeGreaterThanOrEqualTo(2);
        for (LoadReport.Step step : holding) {
            assertThat(step.wakeUps()).isBetween(1L, step.nanos() / window.toNanos() + 1);
            assertThat(step.answered()).isGreaterThan(3 * step.wakeUps());
        }
    }

    @Test
    void connectionsTheServerRefusesAtAdmissionAreCountedAsRefusedNotAsBadReplies() throws IOException {
        try (ServerNode node = ServerNode.start("refusing", NodeSettings.defaults().withAdmission(3, 3, 0),
                ServerLimits::defaults)) {
            LoadReport report = run(plan("hold", node.localAddress().getPort(), "--connections", "5",
                    "--heartbeat", "100ms", "--hold", "1s", "--heartbeat-reply", "pong"));

            assertThat(report.errors()).containsOnlyKeys(ErrorKind.SERVER_REFUSED).containsEntry(ErrorKind.SERVER_REFUSED, 2L);
            assertThat(report.openAtEnd()).isEqualTo(3);
            assertThat(report.answered()).isPositive();
            assertThat(node.refusedConnections()).isEqualTo(2);
        }
    }

    @Test
    void aStrictPongExpectationRejectsAnEchoedPingAsABadReply() throws IOException {
        LoadReport report = run(plan("hold", server.localAddress().getPort(), "--connections", "10",
                "--heartbeat", "50ms", "--hold", "500ms", "--heartbeat-reply", "pong"));

        assertThat(report.errors()).containsOnlyKeys(ErrorKind.BAD_REPLY).containsEntry(ErrorKind.BAD_REPLY, 10L);
        assertThat(report.openAtEnd()).isZero();
        assertThat(report.sent()).isEqualTo(report.failed()).isEqualTo(10);
    }

    @Test
    void connectionsToAPortWithoutListenerAreClassifiedAsRefused() throws IOException {
        LoadReport report;
        long start = System.nanoTime();
        try (ReservedPort refusing = ReservedPort.pick()) { // bound, never listening: every connect is refused
            report = run(plan("hold", refusing.address().getPort(), "--connections", "10", "--hold", "20s"));
        }

        assertThat(System.nanoTime() - start).as("ends once nothing is left to hold").isLessThan(10_000_000_000L);
        assertThat(report.connected()).isZero();
        assertThat(report.attempted()).isEqualTo(10);
        assertThat(report.errors()).containsOnlyKeys(ErrorKind.CONNECT_REFUSED).containsEntry(ErrorKind.CONNECT_REFUSED, 10L);
    }

    @Test
    void aServerThatResetsEveryConnectionIsClassifiedAsReset() throws Exception {
        resetter = new ServerSocket(0, 100, InetAddress.getByName("127.0.0.1"));
        resetterThread = Thread.ofPlatform().name("resetter").start(() -> {
            while (true) {
                try (Socket s = resetter.accept()) {
                    s.setSoLinger(true, 0); // close() now sends RST instead of FIN
                } catch (IOException closed) {
                    return;
                }
            }
        });

        LoadReport report = run(plan("echo", resetter.getLocalPort(), "--connections", "20", "--warmup", "0s",
                "--duration", "500ms"));

        // the RST may arrive before or after finishConnect(): either way it is a reset
        assertThat(report.attempted()).isEqualTo(20);
        assertThat(report.errors()).containsOnlyKeys(ErrorKind.RESET).containsEntry(ErrorKind.RESET, 20L);
        assertThat(report.openAtEnd()).isZero();
        assertThat(report.sent()).isEqualTo(report.answered() + report.failed());
        assertThat(report.answered()).isZero();
    }

    @Test
    void rampModeReportsOneStepPerIncrementOfConnections() throws IOException {
        LoadReport report = run(plan("ramp", server.localAddress().getPort(), "--connections", "15", "--step", "5",
                "--step-duration", "300ms"));

        assertThat(report.steps()).extracting(LoadReport.Step::connections).containsExactly(5L, 10L, 15L);
        assertThat(report.steps()).allSatisfy(step -> assertThat(step.answered()).isPositive());
        assertThat(report.sent()).isEqualTo(report.answered() + report.failed());
    }

    @Test
    void rateModeNeverSendsAheadOfItsSchedule() throws IOException {
        LoadReport report = run(plan("echo", server.localAddress().getPort(), "--connections", "10", "--rate", "200",
                "--warmup", "0s", "--duration", "1s"));

        // request i is due at i / rate: at most 200 in 1 s (+1 for the one due at t = 0). How many
        // fewer depends on the server's speed (a request waits for an idle connection).
        assertThat(report.sent()).isBetween(1L, 201L);
        assertThat(report.sent()).isEqualTo(report.answered() + report.failed());
    }

    @Test
    void repliesThatArrivedDuringALongPauseAreNotCountedAsTimeouts() throws Exception {
        // A server that holds every reply until the test lets it go: 1,500 PINGs in flight at once.
        CountDownLatch answer = new CountDownLatch(1);
        try (TcpServer holding = TcpServer.start("holding", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 4096),
                socket -> echoAfter(answer, socket), Executors.newVirtualThreadPerTaskExecutor(), AcceptBackoff.standard())) {
            // Once all are in flight, the generator's thread stops for 3 s (a long GC pause, a starved
            // CPU) while the server answers all of them: more replies wait than one select() hands
            // over (1,024), and every one is past its 2 s deadline when the loop looks again.
            AtomicBoolean paused = new AtomicBoolean();
            AtomicReference<LoadEngine> engine = new AtomicReference<>();
            LoadPlan plan = plan("hold", holding.localAddress().getPort(), "--connections", "1500", "--sources", "none",
                    "--heartbeat", "200ms", "--heartbeat-reply", "echo", "--reply-timeout", "2s", "--hold", "20s");
            engine.set(new LoadEngine(plan, System::nanoTime, progress -> {
                if (progress.sent() >= 1500 && paused.compareAndSet(false, true)) {
                    answer.countDown();
                    sleep(Duration.ofSeconds(3));
                } else if (paused.get() && progress.answered() >= 1500) {
                    engine.get().stop();
                }
            }, TimeUnit.MILLISECONDS.toNanos(10)));

            LoadReport report;
            try {
                report = engine.get().run();
            } finally {
                answer.countDown(); // whatever happened, no handler stays parked on the latch
            }

            assertThat(paused).isTrue();
            assertThat(report.errors()).isEmpty();
            assertThat(report.answered()).isGreaterThanOrEqualTo(1500).isEqualTo(report.sent());
        }
    }

    /** Answers each line with its echo, the first one only once {@code go} opens. */
    private static void echoAfter(CountDownLatch go, Socket socket) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                go.await();
                out.write("echo: " + line + "\n");
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the generator closed the connection, or the server is closing: nothing to answer
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aConnectTheKernelCompletedDuringALongPauseIsNotCountedAsATimeout() throws IOException {
        // A listener that never accepts: the kernel still completes every handshake into its queue.
        try (ServerSocketChannel silent = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4096)) {
            int port = ((InetSocketAddress) silent.getLocalAddress()).getPort();
            // More connects than one select() reports (1,024), and a clock that jumps 5 s (a long
            // GC pause, a starved CPU) once the first events are being handled: the connects whose
            // events are still queued are past their 1 s deadline when the loop next looks at them.
            AtomicLong reads = new AtomicLong();
            long jump = TimeUnit.SECONDS.toNanos(5);
            LoadPlan plan = plan("hold", port, "--connections", "1500", "--connect-timeout", "1s", "--hold", "200ms",
                    "--sources", "none");
            LoadEngine engine = new LoadEngine(plan, () -> System.nanoTime() + (reads.incrementAndGet() > 3 ? jump : 0),
                    progress -> { }, TimeUnit.SECONDS.toNanos(1));

            LoadReport report = engine.run();

            assertThat(report.errors()).isEmpty();
            assertThat(report.connected()).isEqualTo(1500);
        }
    }
}
