package dev.c1m.tuning;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.Await;
import dev.c1m.tuning.bench.LoadGenMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The load generator as several child JVMs against chapter 1's echo server in this JVM. The
 * timeout allows for JVM start-up on a loaded two-core machine (up to 20 s each was seen).
 */
@Timeout(120)
class LoadSupervisorTest {

    private static final List<String> SMALL_JVM = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Set<String> peers = ConcurrentHashMap.newKeySet();
    private TcpServer server;
    /** The same server's second destination address: the same port on 127.0.0.2. */
    private TcpServer secondAddress;
    private ExecutorService background;

    @BeforeEach
    void startServer() throws IOException {
        // The second server needs the first one's port on another address, where that port may be
        // taken (a client socket of an earlier test, bound to 127.0.0.2, still in TIME_WAIT): then
        // try another pair. (Seen once in back-to-back runs on a busy machine.)
        for (int attempt = 1; secondAddress == null; attempt++) {
            server = startEchoServer(new InetSocketAddress("127.0.0.1", 0));
            try {
                secondAddress = startEchoServer(new InetSocketAddress("127.0.0.2", server.localAddress().getPort()));
            } catch (BindException taken) {
                server.close();
                if (attempt == 20) {
                    throw taken;
                }
            }
        }
        background = Executors.newSingleThreadExecutor();
    }

    private TcpServer startEchoServer(InetSocketAddress address) throws IOException {
        LineEchoHandler echo = new LineEchoHandler();
        return TcpServer.start("supervisor-test", TcpServer.bind(address, 1024),
                socket -> {
                    peers.add(socket.getInetAddress().getHostAddress());
                    echo.handle(socket);
                }, Executors.newVirtualThreadPerTaskExecutor(), AcceptBackoff.standard());
    }

    @AfterEach
    void stop() throws InterruptedException {
        background.shutdownNow();
        background.awaitTermination(30, TimeUnit.SECONDS);
        server.close();
        secondAddress.close();
    }

    @Test
    void holdModeReachesAndHoldsItsTargetAcrossTwoProcessesTwoSourceAndTwoDestinationAddresses() throws Exception {
        LoadPlan plan = LoadPlan.parse("hold", "--port", "" + server.localAddress().getPort(), "--connections", "1000",
                "--hosts", "127.0.0.1,127.0.0.2", "--sources", "2", "--connect-rate", "2000", "--heartbeat", "250ms",
                "--hold", "2s", "--heartbeat-reply", "echo", "--reply-timeout", "10s");
        List<LoadProgress> progress = new CopyOnWriteArrayList<>();

        Future<LoadReport> running = background.submit(
                () -> new LoadSupervisor().run(plan, 2, LoadGenMain.class, SMALL_JVM, progress::add));
        Await.until("the two addresses hold all 1000 connections", Duration.ofSeconds(90),
                () -> server.activeConnections() + secondAddress.activeConnections() == 1000);
        assertThat(server.activeConnections()).as("connections to 127.0.0.1").isEqualTo(500);
        LoadReport report = running.get(60, TimeUnit.SECONDS);

        assertThat(report.processes()).isEqualTo(2);
        assertThat(report.connected()).isEqualTo(1000);
        assertThat(report.openAtEnd()).isEqualTo(1000);
        assertThat(report.errors()).isEmpty();
        assertThat(report.sent()).isGreaterThanOrEqualTo(1000).isEqualTo(report.answered());
        assertThat(peers).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3");
        assertThat(progress).anySatisfy(p -> assertThat(p.target()).isEqualTo(1000));
    }

    /** A child that starts, then exits without a result (as a crashed load process would). */
    public static final class SilentChild {
        public static void main(String[] args) {
            System.out.println(LoadSupervisor.READY);
        }
    }

    @Test
    void whenNoChildReportsTheRunFailsAndSaysWhy() {
        LoadPlan plan = LoadPlan.parse("hold", "--port", "" + server.localAddress().getPort(), "--connections", "10",
                "--hold", "1s");

        assertThatThrownBy(() -> new LoadSupervisor().run(plan, 2, SilentChild.class, SMALL_JVM, p -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no load process reported")
                .hasMessageContaining("exited with status 0 without a result; its last lines: READY");
    }

    /**
     * A load process of which exactly one of its siblings crashes: the first to create the claim
     * file (a system property) runs the real load generator; every other one prints a last word,
     * waits until the run has started, and halts with status 137, as a process killed by the
     * kernel's OOM killer would.
     */
    public static final class OneSurvivorChild {
        public static void main(String[] args) throws Exception {
            try {
                Files.createFile(Path.of(System.getProperty("claim")));
            } catch (FileAlreadyExistsException taken) {
                System.out.println(LoadSupervisor.READY);
                LoadSupervisor.awaitGo(Path.of(args[1]));
                System.out.println("about to crash");
                System.out.flush();
                Runtime.getRuntime().halt(137);
            }
            LoadGenMain.main(args);
        }
    }

    @Test
    void aChildThatDiesIsReportedAsLostAndTheOthersResultsStillMakeTheReport(@TempDir Path dir) throws Exception {
        LoadPlan plan = LoadPlan.parse("hold", "--port", "" + server.localAddress().getPort(), "--connections", "200",
                "--sources", "none", "--connect-rate", "2000", "--heartbeat", "250ms", "--hold", "2s",
                "--heartbeat-reply", "echo", "--reply-timeout", "10s");
        List<String> jvm = new ArrayList<>(SMALL_JVM);
        jvm.add("-Dclaim=" + dir.resolve("claimed"));
        LoadSupervisor supervisor = new LoadSupervisor();

        LoadReport report = supervisor.run(plan, 2, OneSurvivorChild.class, jvm, p -> { });

        assertThat(report.processes()).as("processes in the report").isEqualTo(1);
        assertThat(report.connected()).isEqualTo(100);
        assertThat(report.openAtEnd()).isEqualTo(100);
        assertThat(report.errors()).isEmpty();
        assertThat(report.answered()).isGreaterThanOrEqualTo(100).isEqualTo(report.sent());
        assertThat(supervisor.lost()).singleElement().satisfies(lost -> {
            assertThat(lost.why()).isEqualTo("exited with status 137 without a result; its last lines: READY | about to crash");
            assertThat(lost.lastProgress()).isEqualTo(LoadProgress.ZERO);
            assertThat(lost.summary()).isEqualTo("pid " + lost.pid() + ", no progress heard from it: " + lost.why());
        });
    }

    @Test
    void aLostProcessSaysWhatItHadWhenLastHeardOf() {
        LoadProgress last = new LoadProgress(312_400_000_000L, 19_600, 19_600, 19_600, 19_550, 190_000, 189_000, 3);

        assertThat(new LoadSupervisor.LostProcess(4242, last, "exited with status 137 without a result").summary())
                .isEqualTo("pid 4242, last heard of 312 s into its run, with 19,550 connections open and 189,000"
                        + " heartbeats answered: exited with status 137 without a result");
    }
}
