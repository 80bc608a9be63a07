package dev.c1m.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The kernel's table of TCP sockets, read from {@code /proc/net/tcp} and {@code /proc/net/tcp6}:
 * the programmatic form of {@code ss -tan}. Tests and demos use it to see the states the kernel
 * keeps after the application has let go of a socket (TIME_WAIT, CLOSE_WAIT, FIN_WAIT2).
 *
 * <p>The table lists every socket of the machine, including other processes' connections to
 * other ports, so callers should always select by the exact port pair of the connection they are
 * looking at ({@link #between}). A JVM with IPv6 enabled opens IPv4 connections as IPv6 sockets;
 * their addresses appear in {@code tcp6} as {@code ::ffff:127.0.0.1} and are returned here as
 * plain IPv4 addresses.
 *
 * <p>Linux only: elsewhere {@link #isSupported()} is false and reading throws
 * {@link UnsupportedOperationException}. Stateless; every call reads the files again (a full
 * read costs about a millisecond per thousand sockets).
 */
public final class SocketTable {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private SocketTable() {
    }

    /** Whether this system exposes the table (Linux does). */
    public static boolean isSupported() {
        return Files.isReadable(TABLES.get(0));
    }

    /** Every TCP socket the kernel knows, IPv4 and IPv6. */
    public static List<KernelSocket> all() {
        return read(line -> true);
    }

    /**
     * The sockets whose local port is {@code localPort} and remote port is {@code remotePort}.
     * Rows are screened by their text before they are parsed, which keeps this fast on a machine
     * with tens of thousands of sockets.
     */
    public static List<KernelSocket> between(int localPort, int remotePort) {
        String local = String.format(":%04X ", localPort);
        String remote = String.format(":%04X ", remotePort);
        return read(line -> line.contains(local) && line.contains(remote)).stream()
                .filter(s -> s.local().getPort() == localPort && s.remote().getPort() == remotePort)
                .toList();
    }

    private static List<KernelSocket> read(Predicate<String> worthParsing) {
        if (!isSupported()) {
            throw new UnsupportedOperationException("no /proc/net/tcp: reading TCP states is supported on Linux only");
        }
        // A set: the kernel does not snapshot the table, so rows that move while it is being read
        // can be listed twice (and, rarely, not at all) on a machine opening sockets quickly.
        Set<KernelSocket> sockets = new LinkedHashSet<>();
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(table)) {
                lines.skip(1).filter(worthParsing).map(SocketTable::parseLine).forEach(sockets::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + table, e);
            }
        }
        return List.copyOf(sockets);
    }

    /**
     * The state of the socket with this local and remote port, or empty once the kernel has
     * forgotten it (after TIME_WAIT expired, or after LAST_ACK was answered).
     */
    public static Optional<TcpState> stateOf(int localPort, int remotePort) {
        return between(localPort, remotePort).stream().map(KernelSocket::state).findFirst();
    }

    /**
     * Parses one row, for example
     * {@code "   3: 0100007F:A3C2 0100007F:1F90 06 00000000:00000000 03:00001770 ..."}:
     * slot, local address:port, remote address:port, state, then counters this class ignores.
     */
    static KernelSocket parseLine(String line) {
        String[] fields = line.trim().split("\\s+");
        return new KernelSocket(parseEndpoint(fields[1]), parseEndpoint(fields[2]),
                TcpState.ofCode(Integer.parseInt(fields[3], 16)));
    }

    /**
     * Parses {@code ADDRESS:PORT}. The port is big-endian hex; the address is hex of 32-bit words
     * each printed in the machine's byte order (little-endian on x86 and ARM), so the bytes of
     * every word are reversed: {@code 0100007F} is 127.0.0.1.
     */
    private static InetSocketAddress parseEndpoint(String field) {
        int colon = field.indexOf(':');
        String hex = field.substring(0, colon);
        byte[] address = new byte[hex.length() / 2];
        for (int word = 0; word < address.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = (word * 4 + b) * 2;
                address[word * 4 + (3 - b)] = (byte) Integer.parseInt(hex, at, at + 2, 16);
            }
        }
        int port = Integer.parseInt(field, colon + 1, field.length(), 16);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address in socket table: " + field, e);
        }
    }
}
