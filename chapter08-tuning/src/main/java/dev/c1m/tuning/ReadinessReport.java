package dev.c1m.tuning;

import java.util.List;
import java.util.Locale;

/**
 * The doctor's answer: one {@link ReadinessCheck} per limit, the process and address plan those
 * limits imply, and the overall verdict (the worst check).
 *
 * @param serverProcesses  processes the server side needs at the current descriptor limit
 * @param clientProcesses  processes the load generator needs (0 when it runs elsewhere)
 * @param sourceAddresses  loopback source addresses (or client IPs) the ports require
 * @param memoryBytes      estimated memory the whole run needs
 */
public record ReadinessReport(ReadinessTarget target, String root, List<ReadinessCheck> checks, long serverProcesses,
                              long clientProcesses, long sourceAddresses, long memoryBytes) {

    public Verdict overall() {
        return checks.stream().map(ReadinessCheck::verdict).max(Enum::compareTo).orElse(Verdict.PASS);
    }

    /** The check of {@code limit}, for tests and scripts. */
    public ReadinessCheck check(String limit) {
        return checks.stream().filter(c -> c.limit().equals(limit)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no check named " + limit));
    }

    /** The report as a person reads it: a table, each non-PASS line followed by its fix. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "c1m readiness for %,d connections, %s (read from %s)%n%n", target.connections(),
                target.bothEndsHere() ? "server and load generator on this machine" : "server only on this machine", root));
        b.append(String.format(Locale.ROOT, "%-7s %-28s %-24s %s%n", "VERDICT", "LIMIT", "VALUE", "ALLOWS"));
        for (ReadinessCheck c : checks) {
            b.append(String.format(Locale.ROOT, "%-7s %-28s %-24s %s%n", c.verdict(), c.limit(), c.value(), c.allows()));
            if (!c.fix().isEmpty()) {
                for (String line : c.fix().split("\n")) {
                    b.append("        fix: ").append(line).append(System.lineSeparator());
                }
            }
        }
        b.append(String.format(Locale.ROOT, "%nplan: %,d server process(es)%s, %,d source address(es), about %s of memory%n",
                serverProcesses, target.bothEndsHere() ? String.format(Locale.ROOT, " + %,d load-generator process(es)", clientProcesses) : "",
                sourceAddresses, bytes(memoryBytes)));
        b.append("overall: ").append(overall()).append(System.lineSeparator());
        return b.toString();
    }

    static String bytes(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
