package dev.c1m.tuning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the kernel's side of the bill for the whole machine: slab memory ({@code Slab:} in
 * {@code /proc/meminfo}, where socket structures live), and the TCP line of
 * {@code /proc/net/sockstat} (sockets in use, and pages of socket buffer memory). Dividing the
 * growth of these during a run by the sockets it opened gives the kernel memory per socket.
 * Linux only; stateless.
 */
public final class KernelMeter {

    /** The TCP line of {@code /proc/net/sockstat}. */
    public record TcpSockets(long inUse, long timeWait, long bufferPages) {
    }

    private KernelMeter() {
    }

    /** {@code Slab:} of {@code /proc/meminfo}, in bytes. */
    public static long slabBytes() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("Slab:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst()
                .orElseThrow(() -> new IOException("no Slab: line in /proc/meminfo"));
    }

    /** The TCP line of {@code /proc/net/sockstat}: {@code TCP: inuse N orphan N tw N alloc N mem N}. */
    public static TcpSockets tcpSockets() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/net/sockstat")).stream().filter(l -> l.startsWith("TCP:"))
                .findFirst().orElseThrow(() -> new IOException("no TCP: line in /proc/net/sockstat"));
        return parseTcpLine(line);
    }

    static TcpSockets parseTcpLine(String line) {
        String[] f = line.trim().split("\\s+");
        long inUse = 0;
        long timeWait = 0;
        long pages = 0;
        for (int i = 1; i + 1 < f.length; i += 2) {
            long value = Long.parseLong(f[i + 1]);
            switch (f[i]) {
                case "inuse" -> inUse = value;
                case "tw" -> timeWait = value;
                case "mem" -> pages = value;
                default -> { }
            }
        }
        return new TcpSockets(inUse, timeWait, pages);
    }
}
