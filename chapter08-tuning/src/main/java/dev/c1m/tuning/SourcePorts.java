package dev.c1m.tuning;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;

/**
 * Binds a client socket to a source address on a port of its own choosing, the next one of the
 * machine's ephemeral range after the last it gave that address, instead of port 0.
 *
 * <p>Why: {@code bind(address, 0)} makes the kernel search for a port that is free on that
 * address, from a random start, checking each candidate against every socket bound to the same
 * port number on any address. A load generator that binds hundreds of thousands of sockets over
 * dozens of source addresses makes that search long and each check wide: late in a
 * million-connection ramp it was 12-15% of the machine's CPU ({@code inet_bind2_bucket_*} under
 * {@code bind()}). Linux's {@code IP_BIND_ADDRESS_NO_PORT} would leave the port to
 * {@code connect()}, but the JDK does not expose it. A port chosen here is usually free at the
 * first try; one that is not (a socket of a previous run in TIME_WAIT, another program's) is
 * skipped with the {@link BindException} the kernel answers. After a whole range of refusals the
 * kernel chooses after all.
 *
 * <p>What it does not handle: ports in {@code net.ipv4.ip_local_reserved_ports} (empty by
 * default) are not skipped, and another process binding on the same source address competes for
 * the same ports (each load process of the C1M run has source addresses of its own).
 *
 * <p>Threading: confined to the load loop's thread.
 */
public final class SourcePorts {

    private final int low;
    private final int high;
    private final Map<InetAddress, Integer> next = new HashMap<>();

    /** Ports {@code low..high}, both included. */
    public SourcePorts(int low, int high) {
        if (low < 1 || high > 65_535 || low > high) {
            throw new IllegalArgumentException("not a port range: " + low + "-" + high);
        }
        this.low = low;
        this.high = high;
    }

    /** This machine's ephemeral range ({@code net.ipv4.ip_local_port_range}; Linux's default where it cannot be read). */
    public static SourcePorts ofThisMachine() {
        long[] range = SystemView.live().sysctl("net.ipv4.ip_local_port_range").orElse(new long[] {32_768, 60_999});
        return new SourcePorts((int) range[0], (int) range[1]);
    }

    /**
     * Binds {@code channel} to {@code source} on the next port of the range that the kernel
     * accepts, or, when it refuses the whole range, on a port the kernel chooses.
     *
     * @return the port it is bound to
     */
    public int bind(SocketChannel channel, InetAddress source) throws IOException {
        int port = next.getOrDefault(source, low);
        for (int tried = 0; tried <= high - low; tried++) {
            int candidate = port;
            port = candidate == high ? low : candidate + 1;
            try {
                channel.bind(new InetSocketAddress(source, candidate));
                next.put(source, port);
                return candidate;
            } catch (BindException taken) {
                // in use on this address: the next one
            }
        }
        channel.bind(new InetSocketAddress(source, 0));
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }
}
