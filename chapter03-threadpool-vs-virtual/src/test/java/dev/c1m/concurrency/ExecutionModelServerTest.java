package dev.c1m.concurrency;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.Await;
import dev.c1m.echo.testing.LiveThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class ExecutionModelServerTest {

    private static final int CLIENTS = 200;
    private static final int LINES_PER_CLIENT = 5;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TcpServer server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionModel.class)
    void eachModelServes200ConcurrentClientsTheirOwnReplies(ExecutionModel model) throws Exception {
        // A pool smaller than the client count: queued clients are served as earlier ones leave.
        server = TcpServer.start("model-test", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 1024),
                new LineEchoHandler(), model.executor(32, CLIENTS), AcceptBackoff.standard());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<String>>> replies = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                replies.add(clients.submit(() -> {
                    try (LineClient line = LineClient.connect(server.localAddress(), TIMEOUT)) {
                        go.await();
                        List<String> got = new ArrayList<>();
                        for (int i = 0; i < LINES_PER_CLIENT; i++) {
                            got.add(line.request("client " + client + " line " + i));
                        }
                        return got;
                    }
                }));
            }
            go.countDown();
        }
        for (int c = 0; c < CLIENTS; c++) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < LINES_PER_CLIENT; i++) {
                expected.add("echo: client " + c + " line " + i);
            }
            assertThat(replies.get(c).resultNow()).containsExactlyElementsOf(expected);
        }
        assertThat(server.acceptedConnections()).isEqualTo(CLIENTS);
        Await.until("every connection finished", TIMEOUT, () -> server.activeConnections() == 0);
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionModel.class, names = {"PLATFORM_THREAD", "FIXED_POOL"})
    void closingTheServerLeavesNoConnectionThreadBehind(ExecutionModel model) throws Exception {
        server = TcpServer.start("model-test", TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0),
                new LineEchoHandler(), model.executor(4, 8), AcceptBackoff.standard());
        try (LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {
            assertThat(client.request("hi")).isEqualTo("echo: hi");
            assertThat(LiveThreads.namedLike("platform-conn-").size() + LiveThreads.namedLike("fixed-pool-").size())
                    .isPositive();
            server.close();
            assertThat(client.readLine()).isNull();
        }
        // close() returned after every handler did; a thread still takes a moment to die after its
        // last task (the executor counts it done first), so wait for that, briefly
        Await.until("the connection threads exit", Duration.ofSeconds(5), () -> LiveThreads.namedLike("platform-conn-").isEmpty()
                && LiveThreads.namedLike("fixed-pool-").isEmpty());
    }

    @Test
    void modelsAreNamedOnTheCommandLineAsThreadPoolAndVirtual() {
        assertThat(ExecutionModel.fromOptionName("thread")).isEqualTo(ExecutionModel.PLATFORM_THREAD);
        assertThat(ExecutionModel.fromOptionName("POOL")).isEqualTo(ExecutionModel.FIXED_POOL);
        assertThat(ExecutionModel.fromOptionName("virtual")).isEqualTo(ExecutionModel.VIRTUAL_THREAD);
        assertThatThrownBy(() -> ExecutionModel.fromOptionName("goroutine"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("thread, pool or virtual");
    }
}
