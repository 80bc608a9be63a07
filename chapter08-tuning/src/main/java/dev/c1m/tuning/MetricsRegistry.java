package dev.c1m.tuning;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * A minimal metrics registry that renders the Prometheus text exposition format (version 0.0.4):
 * counters (monotonic, {@link LongAdder}-backed, cheap to increment from any thread) and gauges
 * (read from a supplier at scrape time, so the registry never goes stale). Metrics may carry
 * labels, given as name/value pairs: {@code counter("c1m_closes_total", "...", "reason", "idle")}.
 *
 * <pre>
 * # HELP c1m_closes_total Connections closed, by reason.
 * # TYPE c1m_closes_total counter
 * c1m_closes_total{reason="idle"} 3
 * c1m_closes_total{reason="peer"} 120
 * </pre>
 *
 * Values kept elsewhere are exposed with {@link #counterFrom} and {@link #gauge}.
 *
 * <p>Thread-safe: registration is synchronized (do it at start-up, keep the returned
 * {@link Counter}); increments are lock-free; {@link #scrape()} may run concurrently with both.
 * Not handled: histograms and summaries (expose chosen quantiles as labelled gauges), timestamps,
 * the OpenMetrics format.
 */
public final class MetricsRegistry {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** A monotonically increasing count. */
    public static final class Counter {
        private final LongAdder adder = new LongAdder();

        public void increment() {
            adder.increment();
        }

        public void add(long amount) {
            if (amount < 0) {
                throw new IllegalArgumentException("a counter only goes up, got " + amount);
            }
            adder.add(amount);
        }

        public long value() {
            return adder.sum();
        }
    }

    private record Family(String name, String help, String type, Map<String, DoubleSupplier> series) {
    }

    /** The counter {@code name} with these labels, created on first use. */
    public synchronized Counter counter(String name, String help, String... labels) {
        Family family = family(name, help, "counter");
        String key = labelText(labels);
        DoubleSupplier existing = family.series.get(key);
        if (existing instanceof CounterSeries series) {
            return series.counter;
        }
        CounterSeries series = new CounterSeries(new Counter());
        family.series.put(key, series);
        return series.counter;
    }

    /**
     * Registers a counter whose value something else already keeps (a server's accept count, the
     * sum of several workers' counters); {@code value} must never go down.
     */
    public synchronized void counterFrom(String name, String help, DoubleSupplier value, String... labels) {
        register(name, help, "counter", value, labels);
    }

    /** Registers a gauge read from {@code value} at every scrape. */
    public synchronized void gauge(String name, String help, DoubleSupplier value, String... labels) {
        register(name, help, "gauge", value, labels);
    }

    private void register(String name, String help, String type, DoubleSupplier value, String... labels) {
        String key = labelText(labels);
        Family family = family(name, help, type);
        if (family.series.containsKey(key)) {
            throw new IllegalArgumentException(name + key + " is already registered");
        }
        family.series.put(key, value);
    }

    /** Adds the JVM's heap and thread gauges ({@code jvm_heap_used_bytes}, ...). */
    public MetricsRegistry withJvmGauges() {
        var memory = ManagementFactory.getMemoryMXBean();
        var threads = ManagementFactory.getThreadMXBean();
        gauge("jvm_heap_used_bytes", "Heap in use, garbage included.", () -> memory.getHeapMemoryUsage().getUsed());
        gauge("jvm_heap_committed_bytes", "Heap reserved from the OS.", () -> memory.getHeapMemoryUsage().getCommitted());
        gauge("jvm_threads_live", "Live platform threads.", threads::getThreadCount);
        return this;
    }

    /** The current values in the Prometheus text format, one family after the other. */
    public String scrape() {
        List<Family> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>();
            for (Family f : families.values()) {
                snapshot.add(new Family(f.name, f.help, f.type, new LinkedHashMap<>(f.series)));
            }
        }
        StringBuilder text = new StringBuilder();
        for (Family f : snapshot) {
            text.append("# HELP ").append(f.name).append(' ').append(f.help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            text.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            f.series.forEach((labels, value) ->
                    text.append(f.name).append(labels).append(' ').append(number(value.getAsDouble())).append('\n'));
        }
        return text.toString();
    }

    private record CounterSeries(Counter counter) implements DoubleSupplier {
        @Override
        public double getAsDouble() {
            return counter.value();
        }
    }

    private Family family(String name, String help, String type) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid metric name '" + name + "'");
        }
        Family family = families.computeIfAbsent(name, n -> new Family(n, help, type, new LinkedHashMap<>()));
        if (!family.type.equals(type)) {
            throw new IllegalArgumentException(name + " is already a " + family.type + ", not a " + type);
        }
        return family;
    }

    private static String labelText(String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs, got " + labels.length + " strings");
        }
        if (labels.length == 0) {
            return "";
        }
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < labels.length; i += 2) {
            if (!LABEL.matcher(labels[i]).matches() || labels[i].startsWith("__")) {
                throw new IllegalArgumentException("invalid label name '" + labels[i] + "'");
            }
            text.append(i == 0 ? "" : ",").append(labels[i]).append("=\"")
                    .append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return text.append('}').toString();
    }

    /** A sample value as the text format writes it: whole numbers without a fraction, {@code NaN}, {@code +Inf}. */
    public static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
