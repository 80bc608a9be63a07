package dev.c1m.echo.demo;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chapter 1's demo: a server on a free loopback port, a few clients talking to it at once, one
 * client breaking the line limit, and a clean shutdown. Prints a transcript and a summary and
 * exits 0 only if every reply was the expected one and nothing was left running.
 */
public final class EchoDemo {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> GREETINGS = List.of("hello", "héllo wörld", "你好，世界", "γειά σου");
    private static final int LINES_PER_CLIENT = 3;

    private EchoDemo() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        TcpServer server = TcpServer.start(new InetSocketAddress("127.0.0.1", 0), new LineEchoHandler());
        InetSocketAddress address = server.localAddress();
        say("server", "listening on " + address.getAddress().getHostAddress() + ":" + address.getPort()
                + ", one platform thread per connection");

        AtomicInteger correct = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 1; c <= GREETINGS.size(); c++) {
            int id = c;
            clients.add(Thread.ofPlatform().name("demo-client-" + id)
                    .start(() -> converse(address, id, correct)));
        }
        for (Thread client : clients) {
            client.join();
        }
        boolean refused = sendOverlongLine(address, GREETINGS.size() + 1);

        long accepted = server.acceptedConnections();
        server.close();
        long threadsLeft = connectionThreadsLeft(Duration.ofSeconds(5));

        int expected = GREETINGS.size() * LINES_PER_CLIENT;
        System.out.println();
        System.out.printf("summary: %d clients, %d/%d replies correct, over-long line %s%n",
                GREETINGS.size(), correct.get(), expected, refused ? "refused as expected" : "NOT REFUSED");
        System.out.printf("         server accepted %d connections; after close: %d active, %d connection threads left%n",
                accepted, server.activeConnections(), threadsLeft);
        boolean ok = correct.get() == expected && refused && server.activeConnections() == 0 && threadsLeft == 0;
        System.out.println(ok ? "demo passed" : "demo FAILED");
        System.exit(ok ? 0 : 1);
    }

    private static void converse(InetSocketAddress address, int id, AtomicInteger correct) {
        String who = "client " + id;
        try (LineClient client = LineClient.connect(address, TIMEOUT)) {
            for (int i = 1; i <= LINES_PER_CLIENT; i++) {
                String line = GREETINGS.get(id - 1) + " #" + i;
                say(who, "-> " + line);
                String reply = client.request(line);
                say(who, "<- " + reply);
                if (EchoProtocol.reply(line).equals(reply)) {
                    correct.incrementAndGet();
                }
            }
        } catch (IOException e) {
            say(who, "failed: " + e);
        }
    }

    /** Sends one line longer than the limit; true if the server answered with the error and closed. */
    private static boolean sendOverlongLine(InetSocketAddress address, int id) throws IOException {
        String who = "client " + id;
        int size = EchoProtocol.DEFAULT_MAX_LINE_BYTES + 1000;
        try (LineClient client = LineClient.connect(address, TIMEOUT)) {
            say(who, "-> (" + size + " bytes of 'x' and a newline)");
            String reply = client.request("x".repeat(size));
            say(who, "<- " + reply);
            String next = client.readLine();
            say(who, next == null ? "server closed the connection" : "unexpected: " + next);
            return EchoProtocol.LINE_TOO_LONG.equals(reply) && next == null;
        }
    }

    private static synchronized void say(String who, String text) {
        System.out.printf("[%-8s] %s%n", who, text);
    }

    /**
     * The connection threads still alive once they all ended or {@code patience} ran out: close()
     * returns when every handler has returned, and an executor's thread exits a moment later.
     */
    private static long connectionThreadsLeft(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            long left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("echo-conn-")).count();
            if (left == 0 || System.nanoTime() >= deadline) {
                return left;
            }
            Thread.sleep(10);
        }
    }
}
