package dev.c1m.tuning.server;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.testing.Await;
import dev.c1m.echo.testing.LiveThreads;
import dev.c1m.heartbeat.HeartbeatProtocol;
import dev.c1m.lifecycle.ServerLimits;
import dev.c1m.lifecycle.ShutdownReport;
import dev.c1m.tuning.MetricsRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class ServerNodeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AtomicReference<ServerLimits> limits = new AtomicReference<>(ServerLimits.defaults());
    private final List<LineClient> clients = new ArrayList<>();
    private ServerNode node;

    private ServerNode start(NodeSettings settings) throws IOException {
        node = ServerNode.start("node-test", settings.withReactors(2), limits::get);
        return node;
    }

    private ServerNode start() throws IOException {
        return start(NodeSettings.defaults());
    }

    private LineClient connect() throws IOException {
        LineClient client = LineClient.connect(node.localAddress(), TIMEOUT);
        clients.add(client);
        return client;
    }

    private static ServerLimits withIdleTimeout(Duration idle) {
        ServerLimits base = ServerLimits.defaults();
        return new ServerLimits(idle, base.writeTimeout(), base.maxLineBytes(), base.shutdownGrace());
    }

    @AfterEach
    void closeEverything() throws IOException {
        for (LineClient client : clients) {
            client.close();
        }
        if (node != null) {
            node.close();
        }
        assertThat(LiveThreads.namedLike("node-test")).isEmpty();
    }

    @Test
    void answersPingWithPongAndAnyOtherLineWithItsEcho() throws IOException {
        start();
        LineClient client = connect();

        assertThat(client.request("PING 7 -123456789")).isEqualTo("PONG 7 -123456789");
        assertThat(client.request("hello")).isEqualTo("echo: hello");
        assertThat(node.heartbeatsAnswered()).isEqualTo(1);
    }

    @Test
    void answersEverySpellingOfTheProtocolAsChapterFourDoesWhicheverPathItTakes() throws IOException {
        start();
        LineClient client = connect();

        assertThat(client.request("PING 007 5")).as("valid, not canonical: the String path").isEqualTo("PONG 7 5");
        assertThat(client.request("PING 9223372036854775807 -9223372036854775808"))
                .isEqualTo("PONG 9223372036854775807 -9223372036854775808");
        assertThat(client.request("PING 9223372036854775808 1")).isEqualTo(HeartbeatProtocol.MALFORMED_REPLY);
        client.send("PONG 1 2"); // a peer's answer: no reply, so the next reply is the next request's
        assertThat(client.request("PINGER")).isEqualTo("echo: PINGER");
        assertThat(client.request("h\u00e9llo")).isEqualTo("echo: h\u00e9llo");
        assertThat(node.heartbeatsAnswered()).isEqualTo(2);
    }

    @Test
    void answersAMalformedHeartbeatWithAnErrorAndKeepsTheConnection() throws IOException {
        start();
        LineClient client = connect();

        assertThat(client.request("PING seven")).isEqualTo(HeartbeatProtocol.MALFORMED_REPLY);
        assertThat(client.request("PING 8 1")).isEqualTo("PONG 8 1");
    }

    @Test
    void anOversizedLineClosesOnlyItsOwnConnection() throws IOException {
        ServerLimits base = ServerLimits.defaults();
        limits.set(new ServerLimits(base.idleTimeout(), base.writeTimeout(), 64, base.shutdownGrace()));
        start();
        LineClient offender = connect();
        LineClient bystander = connect();

        offender.send("x".repeat(65));

        assertThat(offender.readLine()).isEqualTo("error: line too long");
        assertThat(offender.readLine()).isNull();
        assertThat(bystander.request("PING 1 1")).isEqualTo("PONG 1 1");
    }

    @Test
    void aClientThatSendsWithoutReadingIsPausedNotDisconnectedAndGetsEveryReplyOnceItReads() throws Exception {
        start();
        byte[] chunk = "x\n".repeat(8192).getBytes(StandardCharsets.US_ASCII);
        int chunks = 128; // 2 MiB of lines, 8 MiB of replies: more than both sockets can buffer
        byte[] reply = "echo: x\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket flooder = new Socket()) {
            flooder.setReceiveBufferSize(64 * 1024);
            flooder.connect(node.localAddress(), Math.toIntExact(TIMEOUT.toMillis()));
            flooder.setSoTimeout(Math.toIntExact(TIMEOUT.toMillis()));
            AtomicReference<IOException> writeFailure = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = flooder.getOutputStream();
                    for (int i = 0; i < chunks; i++) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            });
            Await.until("the server stops reading: the writer waits on a full socket", TIMEOUT,
                    () -> writer.getState() == Thread.State.WAITING || !writer.isAlive());
            assertThat(node.connectionCount()).as("the flooder is paused, not closed").isEqualTo(1);

            InputStream in = flooder.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long expected = (long) chunks * (chunk.length / 2) * reply.length;
            long received = 0;
            while (received < expected) {
                int n = in.read(buffer);
                assertThat(n).as("end of stream after %,d of %,d reply bytes", received, expected).isPositive();
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != reply[(int) ((received + i) % reply.length)]) {
                        throw new AssertionError("unexpected byte at " + (received + i));
                    }
                }
                received += n;
            }
            writer.join(TIMEOUT);
            assertThat(writeFailure.get()).isNull();
        }
    }

    @Test
    void closesAConnectionSilentForTheIdleTimeoutButNotOneThatSendsHeartbeats() throws Exception {
        limits.set(withIdleTimeout(Duration.ofMillis(400)));
        start();
        LineClient silent = connect();
        LineClient beating = connect();
        long start = System.nanoTime();

        for (int seq = 0; System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1_200); seq++) {
            assertThat(beating.request("PING " + seq + " 0")).isEqualTo("PONG " + seq + " 0");
            TimeUnit.MILLISECONDS.sleep(100); // the client's heartbeat interval, not a wait for the server
        }

        assertThat(silent.readLine()).as("the silent connection was closed").isNull();
        assertThat(node.idleClosed()).isEqualTo(1);
        assertThat(beating.request("still here")).isEqualTo("echo: still here");
    }

    @Test
    void keepsACrowdThatFallsSilentAtOnceInsteadOfEvictingItAsIdle() throws Exception {
        Duration idleTimeout = Duration.ofSeconds(2);
        limits.set(withIdleTimeout(idleTimeout));
        start();
        List<LineClient> crowd = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            crowd.add(connect());
        }

        // judged one at a time, each of them would be closed once silent for the timeout
        Await.until("self-protection kept the whole crowd", TIMEOUT, () -> node.idleSpared() >= crowd.size());

        assertThat(node.idleClosed()).isZero();
        for (LineClient client : crowd) {
            assertThat(client.request("PING 1 1")).isEqualTo("PONG 1 1");
        }
    }

    @Test
    void judgesIdleConnectionsInWindowsOfAQuarterOfTheTimeoutAtMostFiveSeconds() {
        assertThat(SessionFactory.evictionWindow(Duration.ofMillis(400))).isEqualTo(Duration.ofMillis(100));
        assertThat(SessionFactory.evictionWindow(Duration.ofSeconds(90))).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aReloadedIdleTimeoutAppliesToConnectionsAcceptedAfterTheReload() throws Exception {
        limits.set(withIdleTimeout(Duration.ofMinutes(5)));
        start();
        LineClient before = connect();
        assertThat(before.request("one")).isEqualTo("echo: one");

        limits.set(withIdleTimeout(Duration.ofMillis(300)));
        LineClient after = connect();

        assertThat(after.readLine()).as("closed after the new, short timeout").isNull();
        assertThat(before.request("two")).as("still under the old timeout").isEqualTo("echo: two");
    }

    @Test
    void refusesBeyondItsConnectionLimitWithTheBusyReplyAndAdmitsAgainOnceOneCloses() throws Exception {
        start(NodeSettings.defaults().withAdmission(3, 3, 0));
        List<LineClient> admitted = List.of(connect(), connect(), connect());
        for (LineClient client : admitted) {
            assertThat(client.request("PING 1 1")).isEqualTo("PONG 1 1");
        }

        LineClient refused = connect();
        assertThat(refused.readLine()).isEqualTo("error: server busy");
        assertThat(refused.readLine()).isNull();
        assertThat(node.refusedConnections()).isEqualTo(1);

        admitted.getFirst().close();
        Await.until("the closed connection given back", TIMEOUT, () -> node.connectionCount() == 2);
        assertThat(connect().request("PING 2 2")).isEqualTo("PONG 2 2");
    }

    @Test
    void shutdownAnswersWhatWasAskedThenClosesEveryConnectionWithoutForcingAny() throws Exception {
        start();
        List<LineClient> open = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            LineClient client = connect();
            assertThat(client.request("PING " + i + " 0")).isEqualTo("PONG " + i + " 0");
            client.send("PING " + (100 + i) + " 0"); // in flight when the shutdown begins
            open.add(client);
        }
        Await.until("every in-flight ping answered", TIMEOUT, () -> node.heartbeatsAnswered() == 40);

        CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> node.shutdown(TIMEOUT));
        for (int i = 0; i < open.size(); i++) {
            LineClient client = open.get(i);
            assertThat(client.readLine()).isEqualTo("PONG " + (100 + i) + " 0");
            assertThat(client.readLine()).as("FIN after the last reply").isNull();
            client.close();
        }

        ShutdownReport result = report.get(20, TimeUnit.SECONDS);
        assertThat(result.openAtStart()).isEqualTo(20);
        assertThat(result.forceClosed()).isZero();
        assertThat(LiveThreads.namedLike("node-test")).isEmpty();
    }

    @Test
    void itsMetricsCountConnectionsHeartbeatsRefusalsAndReactorWakeUps() throws IOException {
        start(NodeSettings.defaults().withAdmission(2, 2, 0));
        LineClient a = connect();
        LineClient b = connect();
        a.request("PING 1 1");
        b.request("PING 2 2");
        b.request("PING 3 3");
        assertThat(connect().readLine()).isEqualTo("error: server busy");
        MetricsRegistry registry = new MetricsRegistry();
        node.registerMetrics(registry);

        String scrape = registry.scrape();

        assertThat(scrape).contains("c1m_connections 2", "c1m_heartbeats_total 3", "c1m_accepted_total 2",
                "c1m_refused_total{reason=\"server_full\"} 1", "c1m_refused_total{reason=\"rate_exceeded\"} 0");
        assertThat(ServerNode.refusedIn(scrape)).as("what the C1M report reads from it").isEqualTo(1);
        assertThat(ServerNode.refusedIn("c1m_connections 2\n")).as("an exposition without the counter").isZero();
        // Three PINGs were read by the worker reactors: at least three ready keys, in at least one wake-up.
        long wakeUps = sample(scrape, "c1m_reactor_wake_ups_total");
        assertThat(wakeUps).isPositive();
        assertThat(sample(scrape, "c1m_reactor_ready_keys_total")).isGreaterThanOrEqualTo(Math.max(3, wakeUps));
    }

    private static long sample(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(scrape);
        assertThat(m.find()).as(name + " in the scrape").isTrue();
        return Long.parseLong(m.group(1));
    }
}
