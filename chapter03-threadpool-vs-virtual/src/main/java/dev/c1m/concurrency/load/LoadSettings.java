package dev.c1m.concurrency.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Where and how an {@link EchoLoadClient} connects.
 *
 * @param server             the echo server's address
 * @param sourceAddresses    spread client sockets over source addresses 127.0.0.1 ..
 *                           127.0.0.{@code k}, binding each socket before it connects. Needed
 *                           beyond about 14,000 connections: a bound source port is reserved per
 *                           source address, and there are 28,232 ephemeral ports (32768-60999)
 * @param connectTimeout     how long one connect may take
 * @param firstEchoTimeout   how long a new connection waits for its first echo before it is
 *                           counted as unserved (a fixed pool's queued connections never get one)
 * @param replyTimeout       how long a busy connection waits for one reply before it fails
 * @param connectConcurrency connects in flight at once; keeps the server's accept backlog from
 *                           overflowing (an overflow costs a one-second SYN retransmission)
 */
public record LoadSettings(InetSocketAddress server, int sourceAddresses, Duration connectTimeout,
                           Duration firstEchoTimeout, Duration replyTimeout, int connectConcurrency) {

    public LoadSettings {
        if (sourceAddresses < 1 || sourceAddresses > 254 || connectConcurrency < 1) {
            throw new IllegalArgumentException("need 1..254 source addresses and a connect concurrency of at least 1");
        }
    }

    /** One source address, 5 s to connect, 10 s for a first echo or a reply, 128 connects in flight. */
    public static LoadSettings defaults(InetSocketAddress server) {
        return new LoadSettings(server, 1, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10), 128);
    }

    public LoadSettings withSourceAddresses(int count) {
        return new LoadSettings(server, count, connectTimeout, firstEchoTimeout, replyTimeout, connectConcurrency);
    }

    public LoadSettings withFirstEchoTimeout(Duration timeout) {
        return new LoadSettings(server, sourceAddresses, connectTimeout, timeout, replyTimeout, connectConcurrency);
    }

    public LoadSettings withReplyTimeout(Duration timeout) {
        return new LoadSettings(server, sourceAddresses, connectTimeout, firstEchoTimeout, timeout, connectConcurrency);
    }

    public LoadSettings withConnectConcurrency(int inFlight) {
        return new LoadSettings(server, sourceAddresses, connectTimeout, firstEchoTimeout, replyTimeout, inFlight);
    }

    /** The source address of connection {@code index}: 127.0.0.(1 + index mod k). */
    InetAddress sourceAddressOf(int index) {
        byte last = (byte) (1 + index % sourceAddresses);
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, last});
        } catch (UnknownHostException e) {
            throw new AssertionError("a four-byte address is always valid", e);
        }
    }
}
