package dev.c1m.echo.demo;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A client for the echo server, in two modes.
 *
 * <pre>
 * EchoClientMain --port 9000                 # interactive: stdin lines to the server, replies to stdout
 * EchoClientMain --port 9000 --lines 1000    # check: send 1000 lines, verify every reply, exit 1 on a mismatch
 * </pre>
 * Interactive mode works like {@code nc}: a second thread prints replies as they arrive, and
 * end of input (Ctrl-D) half-closes the connection so the last replies still arrive.
 */
public final class EchoClientMain {

    private static final String USAGE = """
            usage: EchoClientMain [--host ADDR] [--port N] [--lines N] [--timeout-ms N]
              --host        server address (default 127.0.0.1)
              --port        server port (default 9000)
              --lines       send N numbered lines and check every reply instead of reading stdin
              --timeout-ms  connect and read timeout (default 5000)""";

    private EchoClientMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("host", "port", "lines", "timeout-ms"), List.of());
        InetSocketAddress server = new InetSocketAddress(options.string("host", "127.0.0.1"),
                options.integer("port", 9000, 1, 65535));
        int lines = options.integer("lines", 0, 0, Integer.MAX_VALUE);
        Duration timeout = Duration.ofMillis(options.integer("timeout-ms", 5000, 1, Integer.MAX_VALUE));
        boolean ok = lines > 0 ? check(server, lines, timeout) : interactive(server, timeout);
        System.exit(ok ? 0 : 1);
    }

    /** Sends numbered lines one at a time and compares each reply with the expected one. */
    private static boolean check(InetSocketAddress server, int lines, Duration timeout) throws IOException {
        int correct = 0;
        try (LineClient client = LineClient.connect(server, timeout)) {
            for (int i = 1; i <= lines; i++) {
                String line = "line " + i;
                String reply = client.request(line);
                if (EchoProtocol.reply(line).equals(reply)) {
                    correct++;
                } else {
                    System.out.println("mismatch: sent '" + line + "', got '" + reply + "'");
                }
            }
        }
        System.out.println(correct + "/" + lines + " replies correct");
        return correct == lines;
    }

    private static boolean interactive(InetSocketAddress server, Duration timeout)
            throws IOException, InterruptedException {
        try (LineClient client = LineClient.connect(server, timeout)) {
            client.socket().setSoTimeout(0); // a person may take their time
            Thread printer = Thread.ofPlatform().name("reply-printer").start(() -> printReplies(client));
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = stdin.readLine()) != null) {
                client.send(line);
            }
            client.socket().shutdownOutput();
            printer.join();
        }
        return true;
    }

    private static void printReplies(LineClient client) {
        try {
            String reply;
            while ((reply = client.readLine()) != null) {
                System.out.println(reply);
            }
        } catch (IOException e) {
            System.err.println("connection lost: " + e.getMessage());
        }
    }
}
