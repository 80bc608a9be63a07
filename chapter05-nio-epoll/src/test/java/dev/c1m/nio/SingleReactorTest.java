package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.testing.Await;
import dev.c1m.echo.testing.LiveThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class SingleReactorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CountingBufferSource buffers = new CountingBufferSource();
    private ReactorServer server;
    private Reactor reactor;

    @BeforeEach
    void startServer() throws IOException {
        server = ReactorServer.singleReactor("single-reactor", new InetSocketAddress("127.0.0.1", 0),
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES),
                ReactorSettings.defaults().withBufferSources(() -> buffers));
        reactor = server.workers().getFirst();
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    private LineClient connect() throws IOException {
        return LineClient.connect(server.localAddress(), TIMEOUT);
    }

    @Test
    void answersALineWithEchoAndTheLine() throws IOException {
        try (LineClient client = connect()) {
            assertThat(client.request("hello")).isEqualTo("echo: hello");
        }
    }

    @Test
    void answersManyLinesSentInOneWriteInOrder() throws IOException {
        try (LineClient client = connect()) {
            client.sendRaw("a\nb\r\nc\n".getBytes(StandardCharsets.UTF_8));

            assertThat(List.of(client.readLine(), client.readLine(), client.readLine()))
                    .containsExactly("echo: a", "echo: b", "echo: c");
        }
    }

    @Test
    void answersAStreamOfLinesWrittenInSeededRandomFragmentsDownToOneByte() throws Exception {
        Random random = new Random(20261123);
        List<String> sent = new ArrayList<>();
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            String line = LineDecoderTest.randomLine(random);
            sent.add(line);
            stream.append(line).append('\n');
        }
        byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);

        try (LineClient client = connect()) {
            List<String> replies = new CopyOnWriteArrayList<>();
            Thread reader = Thread.ofVirtual().start(() -> readLines(client, sent.size(), replies));
            OutputStream out = client.socket().getOutputStream();
            for (int offset = 0; offset < bytes.length; ) {
                int chunk = Math.min(bytes.length - offset, random.nextInt(3) == 0 ? 1 : 1 + random.nextInt(200));
                out.write(bytes, offset, chunk);
                out.flush();
                offset += chunk;
            }
            assertThat(reader.join(TIMEOUT)).isTrue();

            assertThat(replies).containsExactlyElementsOf(sent.stream().map(EchoProtocol::reply).toList());
        }
    }

    private static void readLines(LineClient client, int count, List<String> into) {
        try {
            for (int i = 0; i < count; i++) {
                into.add(client.readLine());
            }
        } catch (IOException e) {
            into.add("failed: " + e);
        }
    }

    @Test
    void closesOnlyTheConnectionThatSentAnOverlongLineAfterTellingItWhy() throws IOException {
        try (LineClient bad = connect(); LineClient good = connect()) {
            bad.sendRaw(("x".repeat(EchoProtocol.DEFAULT_MAX_LINE_BYTES + 1) + "\n").getBytes(StandardCharsets.UTF_8));

            assertThat(bad.readLine()).isEqualTo(EchoProtocol.LINE_TOO_LONG);
            assertThat(bad.readLine()).as("end of stream after the error").isNull();
            assertThat(good.request("still here")).isEqualTo("echo: still here");
        }
    }

    @Test
    void answersALastLineEndedByEndOfStreamAndThenCloses() throws IOException {
        try (LineClient client = connect()) {
            client.sendRaw("tail".getBytes(StandardCharsets.UTF_8));
            client.socket().shutdownOutput();

            assertThat(client.readLine()).isEqualTo("echo: tail");
            assertThat(client.readLine()).isNull();
        }
    }

    @Test
    void holdsNoPerConnectionBufferOnceConnectionsAreIdle() throws Exception {
        int reactorBuffers = 2; // the read buffer and the write stage
        List<LineClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                LineClient client = connect();
                clients.add(client);
                client.sendRaw("half a li".getBytes(StandardCharsets.UTF_8));
            }
            Await.until("every connection holds its partial line", TIMEOUT,
                    () -> buffers.outstanding() == reactorBuffers + clients.size());

            for (LineClient client : clients) {
                client.sendRaw("ne\n".getBytes(StandardCharsets.UTF_8));
                assertThat(client.readLine()).isEqualTo("echo: half a line");
            }

            Await.until("only the reactor's own buffers remain", TIMEOUT,
                    () -> buffers.outstanding() == reactorBuffers);
            assertThat(reactor.connectionCount()).isEqualTo(clients.size());
        } finally {
            for (LineClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aConnectionClosedInsideOnInputTellsItsHandlerOnlyAfterOnInputReturns() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        CountingBufferSource ownBuffers = new CountingBufferSource();
        Handler.Factory closingMidway = connection -> new Handler() {
            ByteBuffer keptAfterClose;

            @Override
            public void onInput(Connection c, ByteBuffer input) {
                calls.add("input");
                input.position(input.limit());
                c.close(); // as a failed write inside a reply would
                keptAfterClose = c.buffers().acquire(64); // as a decoder keeping a partial line would
                calls.add("input returns");
            }

            @Override
            public void onClosed(Connection c) {
                calls.add("closed");
                c.buffers().release(keptAfterClose);
            }
        };
        try (ReactorServer closing = ReactorServer.singleReactor("closing-midway", new InetSocketAddress("127.0.0.1", 0),
                closingMidway, ReactorSettings.defaults().withBufferSources(() -> ownBuffers));
             LineClient client = LineClient.connect(closing.localAddress(), TIMEOUT)) {
            int reactorBuffers = 2; // the read buffer and the write stage, taken when its thread starts
            client.send("anything");

            assertThat(client.readLine()).isNull();
            Await.until("the connection is gone", TIMEOUT, () -> closing.connectionCount() == 0);
            assertThat(calls).containsExactly("input", "input returns", "closed");
            assertThat(ownBuffers.outstanding()).as("the buffer taken after the close was given back").isEqualTo(reactorBuffers);
        }
    }

    @Test
    void survivesAClientThatResetsItsConnectionInTheMiddleOfAWrite() throws Exception {
        try (LineClient good = connect()) {
            LineClient resetter = connect();
            byte[] lines = "0123456789abcdef\n".repeat(1_000).getBytes(StandardCharsets.UTF_8);
            Thread writer = Thread.ofVirtual().start(() -> { // replies pile up: the client reads none
                try {
                    while (true) {
                        resetter.sendRaw(lines);
                    }
                } catch (IOException expected) {
                    // the socket was reset below
                }
            });
            Await.until("the server has output pending for the resetter", TIMEOUT,
                    () -> reactor.peakPendingOutputBytes() > 0);
            resetter.socket().setSoLinger(true, 0);
            resetter.close(); // RST while the server still has replies to write

            Await.until("the reset connection is closed", TIMEOUT, () -> reactor.connectionCount() == 1);
            assertThat(writer.join(TIMEOUT)).isTrue();
            assertThat(good.request("after the reset")).isEqualTo("echo: after the reset");
            assertThat(LiveThreads.namedLike("single-reactor-")).hasSize(1);
        }
    }

    @Test
    void runsTasksFromOtherThreadsOnTheReactorThreadEachThreadsInOrder() throws InterruptedException {
        int threads = 4;
        int tasksPerThread = 1_000;
        List<String> ran = new ArrayList<>(); // touched only on the reactor thread
        CountDownLatch done = new CountDownLatch(threads * tasksPerThread);
        AtomicReference<String> wrongThread = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < tasksPerThread; i++) {
                    String item = thread + ":" + i;
                    reactor.execute(() -> {
                        if (!reactor.inReactorThread()) {
                            wrongThread.set(Thread.currentThread().getName());
                        }
                        ran.add(item);
                        done.countDown();
                    });
                }
            });
        }

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(wrongThread.get()).isNull();
        for (int t = 0; t < threads; t++) {
            String prefix = t + ":";
            assertThat(ran.stream().filter(item -> item.startsWith(prefix))
                    .map(item -> Integer.parseInt(item.substring(prefix.length()))).toList())
                    .hasSize(tasksPerThread).isSorted();
        }
    }

    @Test
    void wakesASleepingReactorForATask() throws InterruptedException {
        Await.until("the reactor sleeps in epoll_wait", TIMEOUT, () -> sleepsInEpollWait("single-reactor-0"));
        CountDownLatch ran = new CountDownLatch(1);

        reactor.execute(ran::countDown);

        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    }

    /** Whether the named thread is inside the JDK's {@code epoll_wait} call (its state says RUNNABLE either way). */
    private static boolean sleepsInEpollWait(String name) {
        return Thread.getAllStackTraces().entrySet().stream().filter(e -> e.getKey().getName().equals(name))
                .flatMap(e -> Arrays.stream(e.getValue()))
                .anyMatch(frame -> frame.getClassName().equals("sun.nio.ch.EPoll") && frame.getMethodName().equals("wait"));
    }

    @Test
    void closeEndsTheReactorThreadAndClosesItsConnections() throws IOException {
        try (LineClient client = connect()) {
            assertThat(client.request("before")).isEqualTo("echo: before");

            server.close();

            assertThat(LiveThreads.namedLike("single-reactor-")).isEmpty();
            assertThat(client.readLine()).isNull();
        }
    }
}
