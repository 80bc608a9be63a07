package dev.c1m.nio.bench;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.demo.Options;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opens N connections to an echo server, confirms each with one echo round trip, prints
 * {@code holding N}, and then holds them idle until it is killed: the load side of
 * {@link IdleHeapBench}, run in its own JVM so that its descriptors and heap stay out of the
 * server's numbers.
 *
 * <p>Client sockets are bound round-robin to the source addresses 127.0.0.2, 127.0.0.3, ... so
 * that no (source address, destination) pair needs more than a few thousand ephemeral ports.
 *
 * <pre>
 * java -cp ... dev.c1m.nio.bench.IdleConnectionHolder --port P --connections 10000 [--sources 4] [--first-source 2]
 * </pre>
 */
public final class IdleConnectionHolder {

    private static final String USAGE = """
            usage: IdleConnectionHolder --port P [--connections N] [--sources K] [--first-source F]
              --port          the server's port on 127.0.0.1
              --connections   connections to open and hold (default 10000)
              --sources       number of source addresses 127.0.0.F .. 127.0.0.(F+K-1) (default 4)
              --first-source  last octet of the first source address (default 2)""";

    private IdleConnectionHolder() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Options options = Options.parseOrExit(args, USAGE, List.of("port", "connections", "sources", "first-source"), List.of());
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", options.integer("port", 9000, 1, 65535));
        int connections = options.integer("connections", 10_000, 1, 1_000_000);
        int sources = options.integer("sources", 4, 1, 250);
        int firstSource = options.integer("first-source", 2, 1, 250);
        byte[] request = EchoProtocol.lineBytes("hi");
        byte[] expected = EchoProtocol.replyBytes("hi");
        List<SocketChannel> held = new ArrayList<>(connections);
        ByteBuffer reply = ByteBuffer.allocate(expected.length);
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            SocketChannel channel = SocketChannel.open();
            held.add(channel);
            channel.bind(new InetSocketAddress("127.0.0." + (firstSource + i % sources), 0));
            channel.connect(server);
            channel.write(ByteBuffer.wrap(request));
            reply.clear();
            while (reply.hasRemaining()) {
                if (channel.read(reply) < 0) {
                    throw new IOException("server closed connection " + i);
                }
            }
            if (!Arrays.equals(reply.array(), expected)) {
                throw new IOException("unexpected reply on connection " + i);
            }
            if ((i + 1) % 2_000 == 0) {
                System.err.printf("connected %,d%n", i + 1);
            }
        }
        System.out.printf("holding %d connections (opened in %d ms)%n", held.size(), (System.nanoTime() - start) / 1_000_000);
        Thread.sleep(Long.MAX_VALUE);
    }
}
