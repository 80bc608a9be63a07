package dev.c1m.tuning;

import dev.c1m.echo.bench.ProcessMeter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(20)
class MetricsEndpointTest {

    /** One line of the text format 0.0.4: a comment, or name{labels} value. */
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
                    + "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*})? (-?[0-9.eE+-]+|NaN|[+-]Inf)");

    private final MetricsRegistry registry = new MetricsRegistry();
    private final HttpClient http = HttpClient.newHttpClient();
    private MetricsEndpoint endpoint;

    @AfterEach
    void stop() throws InterruptedException {
        if (endpoint != null) {
            endpoint.close();
        }
        http.close();
    }

    private HttpResponse<String> get() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(endpoint.uri()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Parses and validates a scrape: every line well-formed, every sample's family declared first. */
    private static Map<String, Double> parse(String body) {
        Map<String, Double> samples = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        assertThat(body).endsWith("\n");
        for (String line : body.split("\n")) {
            Matcher comment = COMMENT.matcher(line);
            Matcher sample = SAMPLE.matcher(line);
            if (comment.matches()) {
                if (comment.group(1).equals("TYPE")) {
                    assertThat(comment.group(3)).isIn("counter", "gauge");
                    types.put(comment.group(2), comment.group(3));
                }
            } else {
                assertThat(sample.matches()).as("well-formed sample line: %s", line).isTrue();
                assertThat(types).as("TYPE declared before %s", line).containsKey(sample.group(1));
                samples.put(sample.group(1) + (sample.group(2) == null ? "" : sample.group(2)),
                        Double.parseDouble(sample.group(3).replace("Inf", "Infinity")));
            }
        }
        return samples;
    }

    @Test
    void servesValidPrometheusTextWhoseCountersMatchWhatTheTestDid() throws Exception {
        MetricsRegistry.Counter accepts = registry.counter("c1m_accepts_total", "Connections accepted.");
        MetricsRegistry.Counter idle = registry.counter("c1m_closes_total", "Connections closed, by reason.", "reason", "idle");
        MetricsRegistry.Counter peer = registry.counter("c1m_closes_total", "Connections closed, by reason.", "reason", "peer");
        AtomicLong open = new AtomicLong();
        registry.gauge("c1m_connections", "Connections open now.", open::get);
        registry.gauge("c1m_heartbeat_rtt_seconds", "Heartbeat RTT.", () -> 0.0125, "quantile", "0.99");
        AtomicLong bytesKeptElsewhere = new AtomicLong(123_456);
        registry.counterFrom("c1m_bytes_read_total", "Bytes read.", bytesKeptElsewhere::get);
        registry.withJvmGauges();
        endpoint = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry);

        int threads = 4;
        int perThread = 2500;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        accepts.increment();
                        open.incrementAndGet();
                        (i % 5 == 0 ? idle : peer).increment();
                        open.decrementAndGet();
                    }
                    return null;
                });
            }
            start.countDown();
        }
        open.set(7);

        HttpResponse<String> response = get();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
        Map<String, Double> samples = parse(response.body());
        assertThat(samples).containsEntry("c1m_accepts_total", 10_000.0)
                .containsEntry("c1m_closes_total{reason=\"idle\"}", 2_000.0)
                .containsEntry("c1m_closes_total{reason=\"peer\"}", 8_000.0)
                .containsEntry("c1m_connections", 7.0)
                .containsEntry("c1m_heartbeat_rtt_seconds{quantile=\"0.99\"}", 0.0125)
                .containsEntry("c1m_bytes_read_total", 123_456.0)
                .containsKeys("jvm_heap_used_bytes", "jvm_threads_live");
        assertThat(response.body()).containsOnlyOnce("# TYPE c1m_closes_total counter");
    }

    @Test
    void escapesLabelValuesAndRefusesInvalidNames() throws Exception {
        registry.counter("c1m_refusals_total", "Refused, by reason.", "reason", "quote \" backslash \\ newline \n").add(2);
        endpoint = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry);

        assertThat(parse(get().body())).containsEntry(
                "c1m_refusals_total{reason=\"quote \\\" backslash \\\\ newline \\n\"}", 2.0);
        assertThatThrownBy(() -> registry.counter("c1m-bad", "x")).hasMessage("invalid metric name 'c1m-bad'");
        assertThatThrownBy(() -> registry.counter("c1m_x", "x", "__reserved", "v")).hasMessage("invalid label name '__reserved'");
        assertThatThrownBy(() -> registry.gauge("c1m_refusals_total", "x", () -> 1))
                .hasMessage("c1m_refusals_total is already a counter, not a gauge");
        assertThatThrownBy(() -> registry.counter("c1m_x", "x").add(-1)).hasMessageContaining("only goes up");
    }

    @Test
    void tellsClientsToKeepTheConnectionForTheNextScrapeForLessThanTheServerKeepsIt() throws Exception {
        endpoint = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry);

        HttpResponse<String> answer = get();

        assertThat(answer.headers().firstValue("Connection")).hasValue("keep-alive");
        String keepAlive = answer.headers().firstValue("Keep-Alive").orElseThrow();
        assertThat(keepAlive).matches("timeout=\\d+");
        long clientMayKeepSeconds = Long.parseLong(keepAlive.substring("timeout=".length()));
        long serverIdleSeconds = Long.getLong("sun.net.httpserver.idleInterval", 30); // the JDK server's default
        assertThat(clientMayKeepSeconds).as("longer than a scrape interval of 5-15 s").isGreaterThanOrEqualTo(15)
                .as("shorter than the server keeps an idle connection").isLessThan(serverIdleSeconds);
    }

    @Test
    void answersOnlyGetAndHead() throws Exception {
        endpoint = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry);

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(endpoint.uri())
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void servesThisJvmsHeapHistogramOnAnExtraPathTheWayJcmdPrintsIt() throws Exception {
        endpoint = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry);
        endpoint.serve("/heap-histogram", HeapHistogram::ofThisJvm);

        HttpResponse<String> histogram = http.send(HttpRequest.newBuilder(endpoint.uri().resolve("/heap-histogram")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(histogram.statusCode()).isEqualTo(200);
        ProcessMeter.HeapCensus census = ProcessMeter.parseHistogram(histogram.body());
        assertThat(census.totalBytes()).isPositive();
        assertThat(census.bytesByClass()).containsKey(MetricsEndpointTest.class.getName());
    }

    @Test
    void closingStopsTheServingThread() throws Exception {
        endpoint = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry);
        assertThat(get().statusCode()).isEqualTo(200);

        endpoint.close();

        assertThat(dev.c1m.echo.testing.LiveThreads.namedLike("metrics-http")).isEmpty();
        assertThatThrownBy(this::get).isInstanceOf(IOException.class);
        endpoint = null;
    }
}
