package dev.c1m.tuning.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of the kernel's TCP counters ({@code TcpExt:} and {@code Tcp:} in
 * {@code /proc/net/netstat} and {@code /proc/net/snmp}, what {@code nstat} prints), read before
 * and after a benchmark step to show what the kernel did: accept-queue overflows
 * ({@code ListenOverflows}, {@code ListenDrops}), SYN cookies, keepalive probes ({@code TCPKeepAlive}),
 * resets. Immutable.
 *
 * <p>The counters are per network namespace, not per socket: other processes' traffic counts too,
 * so a delta is an upper bound for what one benchmark caused.
 */
record TcpExtCounters(Map<String, Long> values) {

    static TcpExtCounters read() throws IOException {
        Map<String, Long> values = new HashMap<>();
        for (String file : List.of("/proc/net/netstat", "/proc/net/snmp")) {
            values.putAll(parse(Files.readAllLines(Path.of(file))));
        }
        return new TcpExtCounters(Map.copyOf(values));
    }

    /**
     * Parses the two-line format of {@code /proc/net/netstat} and {@code /proc/net/snmp}: a line of
     * names, then a line of values, both starting with the same prefix ({@code TcpExt:}). Keys are
     * {@code prefix + name} without the colon, e.g. {@code TcpExtListenOverflows}.
     */
    static Map<String, Long> parse(List<String> lines) {
        Map<String, Long> values = new HashMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] names = lines.get(i).trim().split("\\s+");
            String[] numbers = lines.get(i + 1).trim().split("\\s+");
            if (!names[0].equals(numbers[0]) || names.length != numbers.length) {
                throw new IllegalArgumentException("not a names/values pair: " + names[0] + " / " + numbers[0]);
            }
            String prefix = names[0].substring(0, names[0].length() - 1);
            for (int k = 1; k < names.length; k++) {
                values.put(prefix + names[k], Long.parseLong(numbers[k]));
            }
        }
        return values;
    }

    long get(String name) {
        Long value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no counter " + name);
        }
        return value;
    }

    /** {@code this - earlier} for one counter. */
    long since(TcpExtCounters earlier, String name) {
        return get(name) - earlier.get(name);
    }
}
