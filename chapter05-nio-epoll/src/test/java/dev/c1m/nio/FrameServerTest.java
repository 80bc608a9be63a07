package dev.c1m.nio;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class FrameServerTest {

    private static final int MAX = 64 * 1024;

    private ReactorServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = ReactorServer.singleReactor("frames", new InetSocketAddress("127.0.0.1", 0),
                FrameEchoHandler.factory(MAX), ReactorSettings.defaults());
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(server.localAddress(), 10_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static byte[] readFrame(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return payload;
    }

    /** Whether the server closed the connection: end of stream, or a reset. */
    private static boolean closedByServer(Socket socket) {
        try {
            return socket.getInputStream().read() < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void echoesAFrameOfExactlyTheMaximumLength() throws IOException {
        byte[] payload = new byte[MAX];
        new Random(1).nextBytes(payload);
        try (Socket client = connect()) {
            client.getOutputStream().write(FrameEncoder.encode(payload));

            assertThat(readFrame(client)).isEqualTo(payload);
        }
    }

    @Test
    void closesOnlyTheConnectionWhoseFrameIsOneByteOverTheMaximum() throws IOException {
        try (Socket bad = connect(); Socket good = connect()) {
            bad.getOutputStream().write(header(MAX + 1));

            assertThat(closedByServer(bad)).isTrue();
            good.getOutputStream().write(FrameEncoder.encode(new byte[] {42}));
            assertThat(readFrame(good)).containsExactly(42);
        }
    }

    @Test
    void closesTheConnectionOnANegativeLength() throws IOException {
        try (Socket client = connect()) {
            client.getOutputStream().write(header(-1));

            assertThat(closedByServer(client)).isTrue();
        }
    }

    @Test
    void closesTheConnectionOnAnAbsurdLength() throws IOException {
        try (Socket client = connect()) {
            client.getOutputStream().write(header(Integer.MAX_VALUE));

            assertThat(closedByServer(client)).isTrue();
            assertThat(server.workers().getFirst().connectionCount()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void echoesFramesWrittenInSeededRandomFragmentsDownToOneByte() throws Exception {
        Random random = new Random(20261123);
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 500; i++) {
            byte[] payload = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(2_000)];
            random.nextBytes(payload);
            sent.add(payload);
            stream.writeBytes(FrameEncoder.encode(payload));
        }
        byte[] bytes = stream.toByteArray();
        try (Socket client = connect()) {
            List<byte[]> received = new ArrayList<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < sent.size(); i++) {
                        received.add(readFrame(client));
                    }
                } catch (IOException e) {
                    received.add(("failed: " + e).getBytes());
                }
            });
            OutputStream out = client.getOutputStream();
            for (int offset = 0; offset < bytes.length; ) {
                int chunk = Math.min(bytes.length - offset, random.nextInt(3) == 0 ? 1 : 1 + random.nextInt(3_000));
                out.write(bytes, offset, chunk);
                out.flush();
                offset += chunk;
            }
            assertThat(reader.join(Duration.ofSeconds(20))).isTrue();

            assertThat(received).containsExactlyElementsOf(sent);
        }
    }

    private static byte[] header(int length) {
        return ByteBuffer.allocate(4).putInt(length).array();
    }
}
