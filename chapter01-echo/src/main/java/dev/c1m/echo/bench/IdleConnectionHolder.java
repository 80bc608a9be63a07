package dev.c1m.echo.bench;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineClient;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens N connections to an echo server, checks that each one is served (one request and its
 * reply), then holds them all idle until the process is killed. The load side of
 * {@link ThreadPerConnectionCost}, kept in its own JVM so that its threads and memory do not
 * count against the server's.
 *
 * <pre>
 * IdleConnectionHolder --port 9000 --connections 5000 [--host 127.0.0.1]
 * </pre>
 * Prints progress every 1,000 connections and {@code holding N connections} when done.
 */
public final class IdleConnectionHolder {

    private static final String USAGE = """
            usage: IdleConnectionHolder --port N --connections N [--host ADDR]""";

    private IdleConnectionHolder() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("host", "port", "connections"), List.of());
        InetSocketAddress server = new InetSocketAddress(options.string("host", "127.0.0.1"),
                options.integer("port", 0, 1, 65535));
        int connections = options.integer("connections", 1000, 1, 15_000);

        List<LineClient> held = new ArrayList<>(connections);
        for (int i = 1; i <= connections; i++) {
            LineClient client = LineClient.connect(server, Duration.ofSeconds(10));
            String line = "hold " + i;
            String reply = client.request(line);
            if (!EchoProtocol.reply(line).equals(reply)) {
                throw new IllegalStateException("connection " + i + " got '" + reply + "'");
            }
            held.add(client);
            if (i % 1000 == 0 && i < connections) {
                System.out.println("connected " + i);
            }
        }
        System.out.println("holding " + held.size() + " connections");
        Thread.sleep(Long.MAX_VALUE);
    }
}
