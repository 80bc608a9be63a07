package dev.c1m.tuning.server;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.Await;
import dev.c1m.echo.testing.LiveThreads;
import dev.c1m.lifecycle.ServerLimits;
import dev.c1m.lifecycle.ShutdownReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The chapter's {@code haproxy/haproxy.cfg} in front of two {@link ServerNode}s of this JVM, with
 * HAProxy as a child process: leastconn spreads connections, the health check speaks PING, a
 * stopped or wrongly answering node is taken out, a drained node keeps its connections until
 * its graceful shutdown closes them with a FIN, and the frontend's maxconn holds. Skipped where
 * no {@code haproxy} binary is installed.
 */
@Timeout(60)
class HaproxyBalancingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Health checks every 100 ms, two failures to go DOWN: a stopped node is out within about 0.3 s. */
    private static final Map<String, String> SETTINGS = Map.of(
            "C1M_CHECK_INTERVAL", "100ms",
            "C1M_GLOBAL_MAXCONN", "2000",
            "C1M_FRONTEND_MAXCONN", "1000",
            "C1M_SERVER_MAXCONN", "1000");

    private static final Optional<Path> HAPROXY = RunningHaproxy.findBinary();

    @TempDir
    Path dir;
    private final List<LineClient> clients = new ArrayList<>();
    private RunningHaproxy haproxy;
    private ServerNode node1;
    private ServerNode node2;
    private TcpServer plainEcho;

    @BeforeEach // not @BeforeAll: each test is then reported as skipped, with this reason
    void requireHaproxy() {
        assumeTrue(HAPROXY.isPresent(),
                "no haproxy binary on the PATH (nor in /usr/sbin): apt-get install -y haproxy to run these tests");
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (LineClient client : clients) {
            client.close();
        }
        if (haproxy != null) {
            haproxy.close();
        }
        for (AutoCloseable server : new AutoCloseable[] {node1, node2, plainEcho}) {
            if (server != null) {
                server.close();
            }
        }
        assertThat(LiveThreads.namedLike("lb-node")).isEmpty();
    }

    private static ServerNode startNode(String name) throws IOException {
        return ServerNode.start(name, NodeSettings.defaults(), ServerLimits::defaults);
    }

    private void startNodes() throws IOException {
        node1 = startNode("lb-node1");
        node2 = startNode("lb-node2");
    }

    private void startHaproxy(InetSocketAddress second, Map<String, String> overrides) throws Exception {
        Map<String, String> settings = new HashMap<>(SETTINGS);
        settings.putAll(overrides);
        haproxy = RunningHaproxy.start(HAPROXY.orElseThrow(), dir, node1.localAddress(), second, settings);
    }

    /** Both nodes behind HAProxy, both passing their health check. */
    private void startBalancedPair() throws Exception {
        startNodes();
        startHaproxy(node2.localAddress(), Map.of());
        haproxy.awaitStatus("node1", "UP", TIMEOUT);
        haproxy.awaitStatus("node2", "UP", TIMEOUT);
    }

    private LineClient connectThroughHaproxy() throws IOException {
        LineClient client = LineClient.connect(haproxy.frontend(), TIMEOUT);
        clients.add(client);
        return client;
    }

    /** Opens {@code count} connections through HAProxy, one after the other, each answering a PING. */
    private List<LineClient> openAnswering(int count) throws IOException {
        List<LineClient> opened = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LineClient client = connectThroughHaproxy();
            assertThat(client.request("PING " + i + " 42")).isEqualTo("PONG " + i + " 42");
            opened.add(client);
        }
        return opened;
    }

    /** Waits until node1 and node2 hold exactly these counts (a health check adds one for a moment). */
    private void awaitNodeConnections(int onNode1, int onNode2) throws InterruptedException {
        Await.until("node1 holds " + onNode1 + " and node2 " + onNode2, TIMEOUT,
                () -> node1.connectionCount() == onNode1 && node2.connectionCount() == onNode2);
    }

    @Test
    void leastconnSpreadsConnectionsEvenlyOverBothNodes() throws Exception {
        startBalancedPair();

        openAnswering(200);

        // a health check is a connection to a node but not an HAProxy session: compare at a moment none is open
        Await.until("the nodes hold all 200, each as many as HAProxy counts for it", TIMEOUT,
                () -> sessionsMatchConnections(node1, "nodes/node1") && sessionsMatchConnections(node2, "nodes/node2")
                        && node1.connectionCount() + node2.connectionCount() == 200);
        assertThat(node1.connectionCount()).isBetween(90, 110);
        assertThat(node2.connectionCount()).isBetween(90, 110);
    }

    private boolean sessionsMatchConnections(ServerNode node, String proxyAndName) {
        try {
            return haproxy.stat(proxyAndName).currentSessions() == node.connectionCount();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void leastconnFillsANodeThatReturnsEmptyUntilBothHoldTheSame() throws Exception {
        startBalancedPair();
        haproxy.command("set server nodes/node2 state maint");
        openAnswering(60);
        awaitNodeConnections(60, 0);

        haproxy.command("set server nodes/node2 state ready");
        haproxy.awaitStatus("node2", "UP", TIMEOUT);
        openAnswering(60);

        // roundrobin would have given node2 only half of the new 60: 90 and 30
        awaitNodeConnections(60, 60);
    }

    @Test
    void pingsAndOtherLinesAreAnsweredThroughTheBalancer() throws Exception {
        startBalancedPair();

        for (LineClient client : openAnswering(20)) {
            long nanos = System.nanoTime();
            assertThat(client.request("PING 2 " + nanos)).isEqualTo("PONG 2 " + nanos);
            assertThat(client.request("hello through haproxy")).isEqualTo("echo: hello through haproxy");
        }
    }

    @Test
    void theHealthCheckSendsAPingAndExpectsItsPong() throws Exception {
        startBalancedPair();

        // no client has connected: every PONG these nodes sent went to HAProxy's health check
        Await.until("two checks answered by each node", TIMEOUT,
                () -> node1.heartbeatsAnswered() >= 2 && node2.heartbeatsAnswered() >= 2);
        assertThat(haproxy.stat("nodes/node1").checkStatus()).isEqualTo("L7OK");
        assertThat(haproxy.stat("nodes/node2").checkStatus()).isEqualTo("L7OK");
    }

    @Test
    void aBackendThatAcceptsButAnswersNoPongIsTakenOut() throws Exception {
        node1 = startNode("lb-node1");
        plainEcho = TcpServer.start(new InetSocketAddress("127.0.0.1", 0), new LineEchoHandler()); // "echo: PING 1 1"
        startHaproxy(plainEcho.localAddress(), Map.of());

        haproxy.awaitStatus("node2", "DOWN", TIMEOUT);
        assertThat(haproxy.stat("nodes/node2").checkStatus()).as("a layer-7 (content) failure").startsWith("L7");

        openAnswering(20); // every one answered with a PONG, none with the echo server's "echo: PING ..."
        Await.until("node1 holds all 20", TIMEOUT, () -> node1.connectionCount() == 20);
    }

    @Test
    void aStoppedNodeIsMarkedDownAndNewConnectionsGoToTheOther() throws Exception {
        startBalancedPair();
        openAnswering(20);
        awaitNodeConnections(10, 10);

        node2.close();
        haproxy.awaitStatus("node2", "DOWN", TIMEOUT);
        openAnswering(20);

        Await.until("node1 holds its 10 and the 20 new", TIMEOUT, () -> node1.connectionCount() == 30);
    }

    @Test
    void aDrainedNodeKeepsItsClientsUntilItsGracefulShutdownClosesThemWithoutAReset() throws Exception {
        startBalancedPair();
        List<LineClient> before = openAnswering(20);
        awaitNodeConnections(10, 10);

        haproxy.command("set server nodes/node1 state drain");
        haproxy.awaitStatus("node1", "DRAIN", TIMEOUT);
        openAnswering(20);
        awaitNodeConnections(10, 30);
        for (LineClient client : before) {
            assertThat(client.request("PING 9 9")).as("a drained node still serves its clients").isEqualTo("PONG 9 9");
        }

        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> outcomes = new ArrayList<>();
            for (LineClient client : before) {
                outcomes.add(readers.submit(() -> endOf(client)));
            }
            ShutdownReport report = CompletableFuture.supplyAsync(() -> node1.shutdown(TIMEOUT)).get(30, TimeUnit.SECONDS);

            // its 10 clients, and possibly one HAProxy health check in flight (a drained server is still checked)
            assertThat(report.openAtStart()).isBetween(10, 11);
            assertThat(report.forceClosed()).as("every client closed after the FIN").isZero();
            for (LineClient client : before) {
                client.close(); // ends the reads still waiting on node2's clients
            }
            List<String> ends = new ArrayList<>();
            for (Future<String> outcome : outcomes) {
                ends.add(outcome.get(10, TimeUnit.SECONDS));
            }
            assertThat(ends).containsOnly("FIN", "still open").filteredOn("FIN"::equals).hasSize(10);
        }
        openAnswering(10);
        // the 20 opened during the drain and these 10; the first 20 are closed
        Await.until("node2 holds every open connection", TIMEOUT, () -> node2.connectionCount() == 30);
    }

    /** Waits for the end of a connection: "FIN" (closed by the node, orderly), "RESET", or "still open". */
    private static String endOf(LineClient client) throws IOException {
        try {
            String line = client.readLine();
            if (line != null) {
                return "unexpected line " + line;
            }
            client.close(); // what any client does on EOF; lets the node's drain finish
            return "FIN";
        } catch (SocketException e) {
            return e.getMessage().contains("reset") ? "RESET" : "still open"; // "Socket closed": closed by the test
        }
    }

    @Test
    void theFrontendMaxconnHoldsAndTheNextClientIsServedWhenOneLeaves() throws Exception {
        startNodes();
        startHaproxy(node2.localAddress(), Map.of("C1M_FRONTEND_MAXCONN", "20"));
        haproxy.awaitStatus("node1", "UP", TIMEOUT);
        haproxy.awaitStatus("node2", "UP", TIMEOUT);
        List<LineClient> admitted = openAnswering(20);

        LineClient waiting = connectThroughHaproxy(); // the kernel completes the handshake; HAProxy does not accept
        waiting.send("PING 1 1");
        waiting.socket().setSoTimeout(300);
        assertThatThrownBy(waiting::readLine).as("not served beyond maxconn").isInstanceOf(SocketTimeoutException.class);
        assertThat(haproxy.stat("c1m/FRONTEND").maxSessions()).isEqualTo(20);
        assertThat(node1.connectionCount() + node2.connectionCount()).isLessThanOrEqualTo(20 + 2); // + health checks

        admitted.getFirst().close();
        waiting.socket().setSoTimeout((int) TIMEOUT.toMillis());
        assertThat(waiting.readLine()).as("served once a slot is free").isEqualTo("PONG 1 1");
        assertThat(haproxy.stat("c1m/FRONTEND").maxSessions()).isEqualTo(20);
    }
}
