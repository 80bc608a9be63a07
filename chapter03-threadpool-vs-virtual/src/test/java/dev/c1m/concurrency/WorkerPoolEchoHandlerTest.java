package dev.c1m.concurrency;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The worker pool behind real connections: I/O on virtual threads, work on the pool. */
@Timeout(20)
class WorkerPoolEchoHandlerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CountDownLatch release = new CountDownLatch(1);
    private WorkerPool workers;
    private TcpServer server;

    @AfterEach
    void close() {
        release.countDown();
        if (server != null) {
            server.close();
        }
        if (workers != null) {
            workers.close();
        }
    }

    private InetSocketAddress start(Backpressure backpressure, UnaryOperator<String> work) throws IOException {
        workers = WorkerPool.start("worker", WorkerPool.Sizing.fixed(1, 1), backpressure);
        server = TcpServer.start("worker-test", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0),
                new WorkerPoolEchoHandler(workers, work, EchoProtocol.DEFAULT_MAX_LINE_BYTES),
                ExecutionModel.VIRTUAL_THREAD.executor(0, 1), AcceptBackoff.standard());
        return server.localAddress();
    }

    @Test
    void aFullPoolAnswersBusyAndKeepsTheConnectionOpen() throws Exception {
        InetSocketAddress address = start(Backpressure.REJECT_WITH_BUSY, line -> {
            if (line.startsWith("slow")) {
                awaitRelease();
            }
            return EchoProtocol.reply(line);
        });
        try (LineClient first = LineClient.connect(address, TIMEOUT);
             LineClient second = LineClient.connect(address, TIMEOUT);
             LineClient third = LineClient.connect(address, TIMEOUT)) {
            first.send("slow 1");
            Await.until("the worker is busy", TIMEOUT, () -> workers.threads() == 1);
            second.send("slow 2");
            Await.until("one line queued", TIMEOUT, () -> workers.queued() == 1);

            assertThat(third.request("fast")).isEqualTo(WorkerPoolEchoHandler.BUSY);

            release.countDown();
            assertThat(first.readLine()).isEqualTo("echo: slow 1");
            assertThat(second.readLine()).isEqualTo("echo: slow 2");
            assertThat(third.request("fast again")).isEqualTo("echo: fast again");
        }
    }

    @Test
    void repliesKeepTheOrderOfRequestsOnEachConnection() throws Exception {
        InetSocketAddress address = start(Backpressure.CALLER_RUNS, WorkerPoolEchoHandler.echoAfterCpuWork(10));
        try (LineClient client = LineClient.connect(address, TIMEOUT)) {
            client.sendRaw("a\nb\nc\n".getBytes());
            assertThat(client.readLine()).isEqualTo("echo: a");
            assertThat(client.readLine()).isEqualTo("echo: b");
            assertThat(client.readLine()).isEqualTo("echo: c");
        }
    }

    @Test
    void anOverlongLineIsAnsweredWithTheProtocolsErrorThenTheConnectionEnds() throws Exception {
        InetSocketAddress address = start(Backpressure.REJECT_WITH_BUSY, EchoProtocol::reply);
        try (LineClient client = LineClient.connect(address, TIMEOUT)) {
            assertThat(client.request("short")).isEqualTo("echo: short");
            client.send("x".repeat(EchoProtocol.DEFAULT_MAX_LINE_BYTES + 1));

            assertThat(client.readLine()).isEqualTo(EchoProtocol.LINE_TOO_LONG);
            assertThat(client.readLine()).as("then a FIN, not a reset").isNull();
        }
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
