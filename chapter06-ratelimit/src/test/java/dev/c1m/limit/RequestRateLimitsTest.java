package dev.c1m.limit;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.testing.Await;
import dev.c1m.nio.LineProtocolHandler;
import dev.c1m.nio.Reactor;
import dev.c1m.nio.ReactorServer;
import dev.c1m.nio.ReactorSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-connection and global request rate limits in front of chapter 5's line protocol, on the
 * real reactor, with time frozen on a manual clock: a limited line gets {@code error: rate
 * limited} and its connection stays open.
 */
@Timeout(30)
class RequestRateLimitsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String LIMITED = "error: rate limited";
    private static final int MAX_LINE = 64;

    private final ManualClock clock = new ManualClock();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    private ReactorServer serve(RequestRateLimits limits) throws IOException {
        ReactorServer server = ReactorServer.singleReactor("requests", new InetSocketAddress("127.0.0.1", 0),
                limits.around(LineProtocolHandler.factory(MAX_LINE)), ReactorSettings.defaults());
        opened.add(server);
        return server;
    }

    private TestClient connect(ReactorServer server) throws IOException {
        TestClient client = TestClient.connect(server.localAddress(), "127.0.0.1", TIMEOUT);
        opened.add(client);
        return client;
    }

    private RequestRateLimits perConnection(int burst) {
        return new RequestRateLimits(() -> new TokenBucket(Rate.perSecond(1), burst, clock), () -> true);
    }

    private static List<String> readLines(TestClient client, int count) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add(client.readLine());
        }
        return lines;
    }

    @Test
    void aConnectionOverItsOwnRateIsToldSoPerLineAndStaysOpen() throws Exception {
        RequestRateLimits limits = perConnection(3);
        ReactorServer server = serve(limits);
        TestClient client = connect(server);

        client.sendRaw("a\nb\nc\nd\ne\n"); // five requests in one write
        assertThat(readLines(client, 5)).containsExactly("echo: a", "echo: b", "echo: c", LIMITED, LIMITED);
        assertThat(limits.limitedRequests()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(1)); // one new token
        assertThat(client.request("later")).isEqualTo("echo: later");
        assertThat(client.request("too soon")).isEqualTo(LIMITED);
    }

    @Test
    void eachConnectionHasItsOwnAllowance() throws Exception {
        ReactorServer server = serve(perConnection(2));
        TestClient greedy = connect(server);
        TestClient polite = connect(server);

        greedy.sendRaw("1\n2\n3\n");
        assertThat(readLines(greedy, 3)).containsExactly("echo: 1", "echo: 2", LIMITED);
        assertThat(polite.request("hi")).isEqualTo("echo: hi");
    }

    @Test
    void theGlobalLimitIsSharedByEveryConnection() throws Exception {
        RequestRateLimits limits = new RequestRateLimits(() -> () -> true, new TokenBucket(Rate.perSecond(1), 4, clock));
        ReactorServer server = serve(limits);
        TestClient first = connect(server);
        TestClient second = connect(server);

        first.sendRaw("a\nb\nc\n");
        assertThat(readLines(first, 3)).containsExactly("echo: a", "echo: b", "echo: c");
        second.sendRaw("x\ny\nz\n");
        assertThat(readLines(second, 3)).containsExactly("echo: x", LIMITED, LIMITED);
        assertThat(first.request("again")).isEqualTo(LIMITED);
        assertThat(limits.limitedRequests()).isEqualTo(3);
    }

    @Test
    void aRefusedLineIsSkippedUndecodedSoEvenAnOverlongOneLeavesTheConnectionOpen() throws Exception {
        ReactorServer server = serve(perConnection(1));
        TestClient client = connect(server);

        assertThat(client.request("first")).isEqualTo("echo: first");
        assertThat(client.request("x".repeat(10 * MAX_LINE))).isEqualTo(LIMITED); // never reaches the decoder

        clock.advance(Duration.ofSeconds(1));
        assertThat(client.request("ok")).isEqualTo("echo: ok");
    }

    @Test
    void aLineSplitAcrossWritesCostsOnePermit() throws Exception {
        ReactorServer server = serve(perConnection(2));
        Reactor reactor = server.workers().getFirst(); // accepts and serves: each read of the client is one ready key
        TestClient client = connect(server);
        Await.until("the accept was handled", TIMEOUT, () -> server.connectionCount() == 1 && reactor.readyKeys() >= 1);
        long keysBefore = reactor.readyKeys();

        client.sendRaw("hel");
        Await.until("the server read the first part on its own", TIMEOUT, () -> reactor.readyKeys() > keysBefore);
        client.sendRaw("lo\n");
        assertThat(client.readLine()).isEqualTo("echo: hello");
        assertThat(client.request("next")).isEqualTo("echo: next");
        assertThat(client.request("and next")).isEqualTo(LIMITED);
    }

    @Test
    void anAdmittedOverlongLineStillClosesTheConnectionAsTheProtocolSays() throws Exception {
        ReactorServer server = serve(perConnection(5));
        TestClient client = connect(server);

        client.send("y".repeat(10 * MAX_LINE));
        assertThat(client.readLine()).isEqualTo(EchoProtocol.LINE_TOO_LONG);
        assertThat(client.readLine()).isNull();
    }
}
