package dev.c1m.concurrency.load;

import dev.c1m.concurrency.ExecutionModel;
import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class EchoLoadClientTest {

    private TcpServer server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress start(dev.c1m.echo.ConnectionHandler handler, ExecutionModel model, int poolThreads,
                                    int queue) throws IOException {
        server = TcpServer.start("load-test", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 1024), handler,
                model.executor(poolThreads, queue), AcceptBackoff.standard());
        return server.localAddress();
    }

    @Test
    void everyConnectionGetsItsFirstEchoFromAServerThatServesAll() throws Exception {
        InetSocketAddress address = start(new LineEchoHandler(), ExecutionModel.VIRTUAL_THREAD, 0, 1);
        try (EchoLoadClient load = EchoLoadClient.open(LoadSettings.defaults(address), 300, EchoLoadClient.Progress.none())) {
            FirstEchoReport first = load.firstEchoes();
            assertThat(first.allEchoed()).isTrue();
            assertThat(first.timeUntilLastEcho()).isPositive();
            assertThat(server.activeConnections()).isEqualTo(300);
        }
    }

    @Test
    void spreadsConnectionsOverTheRequestedSourceAddresses() throws Exception {
        Set<String> sources = ConcurrentHashMap.newKeySet();
        InetSocketAddress address = start(socket -> {
            sources.add(socket.getInetAddress().getHostAddress());
            new LineEchoHandler().handle(socket);
        }, ExecutionModel.VIRTUAL_THREAD, 0, 1);
        LoadSettings settings = LoadSettings.defaults(address).withSourceAddresses(3);
        try (EchoLoadClient load = EchoLoadClient.open(settings, 30, EchoLoadClient.Progress.none())) {
            assertThat(load.firstEchoes().allEchoed()).isTrue();
        }
        assertThat(sources).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2", "127.0.0.3");
    }

    @Test
    void countsConnectionsAFixedPoolNeverServesAndThoseItRefuses() throws Exception {
        InetSocketAddress address = start(new LineEchoHandler(), ExecutionModel.FIXED_POOL, 4, 6);
        LoadSettings settings = LoadSettings.defaults(address).withFirstEchoTimeout(Duration.ofSeconds(1));
        try (EchoLoadClient load = EchoLoadClient.open(settings, 20, EchoLoadClient.Progress.none())) {
            FirstEchoReport first = load.firstEchoes();
            assertThat(first.echoed()).isEqualTo(4);
            assertThat(first.noReply()).isEqualTo(6);
            assertThat(first.closedByServer()).isEqualTo(10);
            assertThat(first.wrongReply()).isZero();
            assertThat(first.connectFailed()).isZero();
        }
    }

    @Test
    void aBusyAnswerCountsAsAWrongReplyNotAsSilence() throws Exception {
        InetSocketAddress address = start(socket -> {
            var reader = new dev.c1m.echo.LineReader(socket.getInputStream(), 8192);
            while (reader.readLine() != null) {
                socket.getOutputStream().write("error: busy\n".getBytes());
            }
        }, ExecutionModel.VIRTUAL_THREAD, 0, 1);
        try (EchoLoadClient load = EchoLoadClient.open(LoadSettings.defaults(address), 10, EchoLoadClient.Progress.none())) {
            assertThat(load.firstEchoes().wrongReply()).isEqualTo(10);
            assertThat(load.closedLoop(10, 8, Duration.ZERO, Duration.ofMillis(10)).busyConnections()).isZero();
        }
    }

    @Test
    void closedLoopMeasuresOnlyServedConnectionsAndChecksEveryReply() throws Exception {
        InetSocketAddress address = start(new LineEchoHandler(), ExecutionModel.VIRTUAL_THREAD, 0, 1);
        try (EchoLoadClient load = EchoLoadClient.open(LoadSettings.defaults(address), 20, EchoLoadClient.Progress.none())) {
            ClosedLoopReport run = load.closedLoop(50, 100, Duration.ofMillis(50), Duration.ofMillis(1500));
            assertThat(run.busyConnections()).isEqualTo(20);
            assertThat(run.failures()).isZero();
            assertThat(run.requests()).isPositive().isEqualTo(run.latency().count());
            assertThat(run.latency().percentile(50)).isPositive().isLessThanOrEqualTo(run.latency().percentile(99));
        }
    }

    @Test
    void aWrongReplyFailsTheConnectionThatGotIt() throws Exception {
        InetSocketAddress address = start(socket -> {
            OutputStream out = socket.getOutputStream();
            var reader = new dev.c1m.echo.LineReader(socket.getInputStream(), 8192);
            String line = reader.readLine();
            out.write(("echo: " + line + "\n").getBytes());
            while ((line = reader.readLine()) != null) {
                out.write(("echo: " + line.replace('x', 'y') + "\n").getBytes());
            }
        }, ExecutionModel.VIRTUAL_THREAD, 0, 1);
        try (EchoLoadClient load = EchoLoadClient.open(LoadSettings.defaults(address), 5, EchoLoadClient.Progress.none())) {
            // Each loop fails on its first reply, so the long window costs no time; it only makes
            // sure that even a thread scheduled late on a busy machine gets to send.
            ClosedLoopReport run = load.closedLoop(5, 10, Duration.ZERO, Duration.ofSeconds(10));
            assertThat(run.failures()).isEqualTo(5);
            assertThat(run.requests()).isZero();
        }
    }

    @Test
    void aBusyConnectionWhoseReplyNeverComesFailsAfterItsReplyTimeout() throws Exception {
        InetSocketAddress address = start(socket -> {
            var reader = new dev.c1m.echo.LineReader(socket.getInputStream(), 8192);
            String first = reader.readLine();
            socket.getOutputStream().write(("echo: " + first + "\n").getBytes());
            while (reader.readLine() != null) {
                // reads every later request and never answers it
            }
        }, ExecutionModel.VIRTUAL_THREAD, 0, 1);
        LoadSettings settings = LoadSettings.defaults(address).withReplyTimeout(Duration.ofMillis(300));
        try (EchoLoadClient load = EchoLoadClient.open(settings, 5, EchoLoadClient.Progress.none())) {
            long start = System.nanoTime();
            ClosedLoopReport run = load.closedLoop(5, 10, Duration.ZERO, Duration.ofSeconds(20));
            assertThat(run.failures()).isEqualTo(5);
            assertThat(run.requests()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the default reply timeout is 10 s")
                    .isLessThan(Duration.ofSeconds(8));
        }
    }
}
