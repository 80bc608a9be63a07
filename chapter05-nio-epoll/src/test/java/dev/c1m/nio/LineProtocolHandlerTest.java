package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact reply bytes of {@link LineProtocolHandler}, on both of its paths: ASCII lines copied
 * straight into the write stage, and every other line through a {@code String}, which must
 * reproduce chapter 1's replies ({@link EchoProtocol#replyBytes}) byte for byte, invalid UTF-8
 * included.
 */
@Timeout(30)
class LineProtocolHandlerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ReactorServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = ReactorServer.singleReactor("line-protocol", new InetSocketAddress("127.0.0.1", 0),
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES), ReactorSettings.defaults());
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    @Test
    void answersAnAsciiLineWithThePrefixAndTheLinesOwnBytes() throws IOException {
        byte[] line = "tab\there, bell \u0007, a CR \r inside, ~ DEL \u007f".getBytes(StandardCharsets.US_ASCII);

        byte[] reply = exchange(concat(line, "\r\n".getBytes(StandardCharsets.US_ASCII)), 1);

        assertThat(reply).isEqualTo(concat("echo: ".getBytes(StandardCharsets.US_ASCII), line, new byte[] {'\n'}));
    }

    @Test
    void replacesInvalidUtf8WithTheReplacementCharacterLikeChapterOne() throws IOException {
        byte[] reply = exchange(new byte[] {'a', (byte) 0xff, 'b', '\n'}, 1);

        assertThat(reply).isEqualTo(concat("echo: a".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xef, (byte) 0xbf, (byte) 0xbd}, "b\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void answersEveryKindOfNonAsciiLineExactlyAsChapterOneWould() throws IOException {
        List<byte[]> lines = List.of(
                "né 你 🚀".getBytes(StandardCharsets.UTF_8),               // valid multi-byte
                new byte[] {(byte) 0x80},                                   // a lone continuation byte
                new byte[] {'x', (byte) 0xe4, (byte) 0xbd},                 // a truncated 3-byte character
                new byte[] {(byte) 0xc0, (byte) 0xaf},                      // an overlong '/'
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},         // an encoded surrogate
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}); // above U+10FFFF
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            request.writeBytes(line);
            request.write('\n');
            expected.writeBytes(chapterOneReply(line));
        }

        assertThat(exchange(request.toByteArray(), 1)).isEqualTo(expected.toByteArray());
    }

    @Test
    void answersASeededRandomByteStreamCutIntoWritesDownToOneByteExactlyAsChapterOneWould() throws Exception {
        Random random = new Random(20261123);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 3_000; i++) {
            byte[] line = randomLine(random);
            request.writeBytes(line);
            request.writeBytes(random.nextBoolean() ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
            expected.writeBytes(chapterOneReply(line));
        }

        byte[] reply = exchange(request.toByteArray(), 3);

        assertThat(reply).isEqualTo(expected.toByteArray());
    }

    @Test
    void answersPipelinedLinesWhoseRepliesOverflowTheWriteStageExactly() throws Exception {
        Random random = new Random(7);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        while (request.size() < 4 * ReactorSettings.defaults().readBufferBytes()) {
            byte[] line = randomLine(random);
            request.writeBytes(line);
            request.write('\n');
            expected.writeBytes(chapterOneReply(line));
        }

        byte[] reply = exchange(request.toByteArray(), 1); // one write: reads of a full read buffer each

        assertThat(reply).isEqualTo(expected.toByteArray());
    }

    /** ASCII, valid UTF-8 text, or arbitrary bytes (mostly invalid UTF-8); never CR or LF. */
    private static byte[] randomLine(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> randomBytes(random, 0x20, 0x7f);
            case 1 -> LineDecoderTest.randomLine(random).getBytes(StandardCharsets.UTF_8);
            default -> randomBytes(random, 0x00, 0x100);
        };
    }

    private static byte[] randomBytes(Random random, int from, int to) {
        byte[] bytes = new byte[random.nextInt(100)];
        for (int i = 0; i < bytes.length; i++) {
            int b;
            do {
                b = from + random.nextInt(to - from);
            } while (b == '\n' || b == '\r');
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    private static byte[] chapterOneReply(byte[] line) {
        return EchoProtocol.replyBytes(new String(line, StandardCharsets.UTF_8));
    }

    /**
     * Sends {@code request} in writes of random length (one in {@code oneByteEvery} of them a
     * single byte; 1 sends it whole), while another thread reads the whole reply stream until
     * the server closes it after our FIN.
     */
    private byte[] exchange(byte[] request, int oneByteEvery) throws IOException {
        Random random = new Random(request.length);
        try (LineClient client = LineClient.connect(server.localAddress(), TIMEOUT)) {
            AtomicReference<Object> received = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().start(() -> received.set(readToEnd(client)));
            OutputStream out = client.socket().getOutputStream();
            for (int offset = 0; offset < request.length; ) {
                int chunk = oneByteEvery == 1 ? request.length
                        : random.nextInt(oneByteEvery) == 0 ? 1 : 1 + random.nextInt(300);
                chunk = Math.min(request.length - offset, chunk);
                out.write(request, offset, chunk);
                out.flush();
                offset += chunk;
            }
            client.socket().shutdownOutput();
            assertThat(joined(reader)).as("reply stream ended").isTrue();
            assertThat(received.get()).isInstanceOf(byte[].class);
            return (byte[]) received.get();
        }
    }

    private static Object readToEnd(LineClient client) {
        try (InputStream in = client.socket().getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            return e;
        }
    }

    private static boolean joined(Thread thread) {
        try {
            return thread.join(TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
