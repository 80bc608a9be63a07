package dev.c1m.pool;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The pooled and the allocating message path serve chapter 1's protocol identically, over real sockets. */
@Timeout(30)
class ChannelLineEchoHandlerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final BufferPool pool = new BufferPool("handler-test", BufferPool.Settings.defaults().withDebug(true));
    private TcpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress start(String path) throws IOException {
        Supplier<ReplyWriter> writers = path.equals("pooled") ? () -> new PooledReplyWriter(pool)
                : AllocatingReplyWriter::new;
        server = ChannelEchoServer.start("ch7-" + path, new InetSocketAddress("127.0.0.1", 0),
                new ChannelLineEchoHandler(pool, writers, EchoProtocol.DEFAULT_MAX_LINE_BYTES));
        return server.localAddress();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "allocating"})
    void answersLinesLikeChapterOneIncludingCrLfAndMalformedUtf8(String path) throws Exception {
        try (LineClient client = LineClient.connect(start(path), TIMEOUT)) {
            assertThat(client.request("hello")).isEqualTo("echo: hello");
            client.sendRaw("crlf line\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(client.readLine()).isEqualTo("echo: crlf line");
            client.sendRaw(new byte[]{'a', (byte) 0xC3, '\n'});
            assertThat(client.readLine()).isEqualTo("echo: a\uFFFD");
            assertThat(client.request("h\u00e9llo \u4e16\u754c")).isEqualTo("echo: h\u00e9llo \u4e16\u754c");
        }
        Await.until("every buffer back in the pool", TIMEOUT, () -> pool.inUse() == 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "allocating"})
    void answersALastLineEndedByEndOfStreamWithoutItsCarriageReturn(String path) throws Exception {
        try (LineClient client = LineClient.connect(start(path), TIMEOUT)) {
            client.sendRaw("last\r".getBytes(StandardCharsets.UTF_8));
            client.socket().shutdownOutput();

            assertThat(new String(client.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("echo: last\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "allocating"})
    void answersTenThousandPipelinedRandomLinesByteForByteAsChapterOneWould(String path) throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 10_000; i++) {
            byte[] line = new byte[random.nextInt(0, 200)];
            for (int j = 0; j < line.length; j++) {
                byte b = (byte) random.nextInt(256);
                line[j] = b == '\n' || b == '\r' ? (byte) 'x' : b;
            }
            request.write(line);
            request.write('\n');
            expected.write(EchoProtocol.replyBytes(new String(line, StandardCharsets.UTF_8)));
        }
        try (LineClient client = LineClient.connect(start(path), TIMEOUT)) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.sendRaw(request.toByteArray());
                    client.socket().shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] received = readAll(client.socket().getInputStream());
            writer.join();
            assertThat(received).isEqualTo(expected.toByteArray());
        }
        Await.until("every buffer back in the pool", TIMEOUT, () -> pool.inUse() == 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "allocating"})
    void anOverlongLineGetsTheErrorAndClosesOnlyThatConnection(String path) throws Exception {
        InetSocketAddress address = start(path);
        try (LineClient bad = LineClient.connect(address, TIMEOUT);
             LineClient good = LineClient.connect(address, TIMEOUT)) {
            bad.sendRaw(("x".repeat(EchoProtocol.DEFAULT_MAX_LINE_BYTES + 1) + "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(bad.readLine()).isEqualTo(EchoProtocol.LINE_TOO_LONG);
            assertThat(bad.readLine()).isNull();
            assertThat(good.request("still here")).isEqualTo("echo: still here");
        }
        Await.until("every buffer back in the pool", TIMEOUT, () -> pool.inUse() == 0);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
