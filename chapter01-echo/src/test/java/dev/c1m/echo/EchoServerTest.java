package dev.c1m.echo;

import dev.c1m.echo.testing.Await;
import dev.c1m.echo.testing.LiveThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class EchoServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TcpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = TcpServer.start(new InetSocketAddress("127.0.0.1", 0), new LineEchoHandler());
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    private LineClient connect() throws IOException {
        return LineClient.connect(server.localAddress(), TIMEOUT);
    }

    @Test
    void bindsTheFreePortTheKernelChoseForPortZero() {
        assertThat(server.localAddress().getPort()).isPositive();
    }

    @Test
    void answersALineWithEchoAndTheLine() throws IOException {
        try (LineClient client = connect()) {
            assertThat(client.request("hello")).isEqualTo("echo: hello");
        }
    }

    @Test
    void answersSeveralLinesSentInOneWriteInOrder() throws IOException {
        try (LineClient client = connect()) {
            client.sendRaw("a\nb\nc\n".getBytes(StandardCharsets.UTF_8));

            assertThat(List.of(client.readLine(), client.readLine(), client.readLine()))
                    .containsExactly("echo: a", "echo: b", "echo: c");
        }
    }

    @Test
    void answersALineAtOnceWhenOnlyPartOfTheNextCameWithIt() throws IOException {
        try (LineClient client = connect()) {
            client.sendRaw("a\nb".getBytes(StandardCharsets.UTF_8));

            assertThat(client.readLine()).as("the answer to a, with b not yet ended").isEqualTo("echo: a");
            client.sendRaw("\n".getBytes(StandardCharsets.UTF_8));
            assertThat(client.readLine()).isEqualTo("echo: b");
        }
    }

    @Test
    void reassemblesALineWrittenOneByteAtATimeIncludingASplitMultiByteCharacter() throws IOException {
        try (LineClient client = connect()) {
            for (byte b : "né 你 🚀\n".getBytes(StandardCharsets.UTF_8)) {
                client.sendRaw(new byte[] {b});
            }

            assertThat(client.readLine()).isEqualTo("echo: né 你 🚀");
        }
    }

    @Test
    void acceptsCrLfLineEndings() throws IOException {
        try (LineClient client = connect()) {
            client.sendRaw("windows\r\n".getBytes(StandardCharsets.UTF_8));

            assertThat(client.readLine()).isEqualTo("echo: windows");
        }
    }

    @Test
    void answersAnEmptyLine() throws IOException {
        try (LineClient client = connect()) {
            assertThat(client.request("")).isEqualTo("echo: ");
        }
    }

    @Test
    void answersInvalidUtf8WithReplacementCharactersAndKeepsServing() throws IOException {
        try (LineClient client = connect()) {
            client.sendRaw(new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});

            assertThat(client.readLine()).isEqualTo("echo: \uFFFD\uFFFD");
            assertThat(client.request("still here")).isEqualTo("echo: still here");
        }
    }

    @Test
    void serves100ConcurrentClientsEachReceivingExactlyItsOwnRepliesInOrder() throws Exception {
        int clients = 100;
        int linesEach = 100;
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            threads.add(Thread.ofPlatform().start(() -> {
                try (LineClient client = connect()) {
                    start.await();
                    for (int i = 0; i < linesEach; i++) {
                        String line = "client " + id + " line " + i;
                        String reply = client.request(line);
                        if (!("echo: " + line).equals(reply)) {
                            failures.add("client " + id + " sent '" + line + "' got '" + reply + "'");
                        }
                    }
                } catch (Exception e) {
                    failures.add("client " + id + ": " + e);
                }
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(failures).isEmpty();
        assertThat(server.acceptedConnections()).isEqualTo(clients);
    }

    @Test
    void closesOnlyTheConnectionThatSentAnOverlongLineAfterTellingItWhy() throws IOException {
        try (LineClient bystander = connect(); LineClient offender = connect()) {
            assertThat(bystander.request("before")).isEqualTo("echo: before");

            offender.send("x".repeat(EchoProtocol.DEFAULT_MAX_LINE_BYTES + 1));

            assertThat(offender.readLine()).isEqualTo("error: line too long");
            assertThat(offender.readLine()).isNull();
            assertThat(bystander.request("after")).isEqualTo("echo: after");
        }
    }

    @Test
    void deliversTheErrorEvenWhileThePeerIsStillSendingALongLine() throws IOException {
        try (LineClient offender = connect()) {
            offender.sendRaw("x".repeat(200_000).getBytes(StandardCharsets.UTF_8));

            assertThat(offender.readLine()).isEqualTo("error: line too long");
        }
    }

    @Test
    void keepsServingAndForgetsAConnectionResetByItsPeerMidLine() throws Exception {
        try (LineClient resetter = connect()) {
            resetter.request("warm up");
            resetter.sendRaw("half a li".getBytes(StandardCharsets.UTF_8));
            resetter.socket().setSoLinger(true, 0);
        }
        Await.until("the reset connection is released", TIMEOUT, () -> server.activeConnections() == 0);

        try (LineClient next = connect()) {
            assertThat(next.request("next")).isEqualTo("echo: next");
        }
    }

    @Test
    void closeEndsEveryConnectionAndLeavesNoConnectionThreadBehind() throws Exception {
        List<LineClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                LineClient client = connect();
                client.request("hi");
                clients.add(client);
            }
            assertThat(server.activeConnections()).isEqualTo(10);
            assertThat(LiveThreads.namedLike("echo-conn-")).hasSizeGreaterThanOrEqualTo(10);

            server.close();

            assertThat(server.activeConnections()).isZero();
            assertThat(LiveThreads.namedLike("echo-acceptor")).isEmpty();
            // every handler has returned; its thread still takes a moment to die after its task
            Await.until("the connection threads exit", Duration.ofSeconds(5), () -> LiveThreads.namedLike("echo-conn-").isEmpty());
            for (LineClient client : clients) {
                assertThat(client.readLine()).isNull();
            }
            assertThatThrownBy(this::connect).isInstanceOf(IOException.class);
        } finally {
            for (LineClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void rawEchoReturnsEveryByteUnchangedIncludingBinary() throws Exception {
        try (TcpServer raw = TcpServer.start(new InetSocketAddress("127.0.0.1", 0), new RawEchoHandler());
             Socket socket = new Socket()) {
            socket.connect(raw.localAddress(), 5000);
            socket.setSoTimeout(10_000);
            byte[] sent = new byte[100_000];
            new Random(42).nextBytes(sent);
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    socket.getOutputStream().write(sent);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            byte[] received = socket.getInputStream().readAllBytes();
            writer.join();

            assertThat(received).isEqualTo(sent);
        }
    }
}
