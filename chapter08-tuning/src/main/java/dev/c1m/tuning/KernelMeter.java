package dev.c1m.tuning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the kernel's side of the bill for the whole machine: slab memory ({@code Slab:} in
 * {@code /proc/meminfo}, where socket structures live), and the TCP line of
 * {@code /proc/net/sockstat} (sockets in use, and pages of socket buffer memory). Dividing the
 * growth of these during a run by the sockets it opened gives the kernel memory per socket.
 * Also the machine's CPU time by kind (the {@code cpu} line of {@code /proc/stat}): the softirq
 * work of loopback packets as a figure of its own (a kernel that counts by tick, without
 * {@code CONFIG_IRQ_TIME_ACCOUNTING}, also charges it to whichever process it interrupted), and
 * the time a hypervisor took from this virtual machine ("steal"). Linux only; stateless.
 */
public final class KernelMeter {

    /** The TCP line of {@code /proc/net/sockstat}. */
    public record TcpSockets(long inUse, long timeWait, long bufferPages) {
    }

    /**
     * CPU time of all cores since boot, in clock ticks ({@code USER_HZ}, 100 per second on Linux):
     * busy (user, nice, system, irq, softirq), of which softirq, and steal.
     */
    public record CpuTicks(long busy, long softirq, long steal) {

        public static final double TICKS_PER_SECOND = 100;

        /** The time between {@code earlier} and this, in ticks. */
        public CpuTicks since(CpuTicks earlier) {
            return new CpuTicks(busy - earlier.busy, softirq - earlier.softirq, steal - earlier.steal);
        }
    }

    private KernelMeter() {
    }

    /** The machine's {@link CpuTicks} now. */
    public static CpuTicks cpuTicks() throws IOException {
        return parseCpuLine(firstLine("/proc/stat", "cpu "));
    }

    /** {@code cpu user nice system idle iowait irq softirq steal guest guest_nice}. */
    static CpuTicks parseCpuLine(String line) {
        String[] f = line.trim().split("\\s+");
        long[] t = new long[8];
        for (int i = 0; i < t.length; i++) {
            t[i] = Long.parseLong(f[i + 1]);
        }
        return new CpuTicks(t[0] + t[1] + t[2] + t[5] + t[6], t[6], t[7]);
    }

    /** {@code Slab:} of {@code /proc/meminfo}, in bytes. */
    public static long slabBytes() throws IOException {
        return Long.parseLong(firstLine("/proc/meminfo", "Slab:").replaceAll("[^0-9]", "")) * 1024;
    }

    /** The TCP line of {@code /proc/net/sockstat}: {@code TCP: inuse N orphan N tw N alloc N mem N}. */
    public static TcpSockets tcpSockets() throws IOException {
        return parseTcpLine(firstLine("/proc/net/sockstat", "TCP:"));
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

    /** The first line of {@code file} that starts with {@code prefix}. */
    private static String firstLine(String file, String prefix) throws IOException {
        return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new IOException("no " + prefix.trim() + " line in " + file));
    }
}
