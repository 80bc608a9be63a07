package dev.c1m.concurrency;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class VirtualThreadHttpServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private VirtualThreadHttpServer server;
    private HttpClient client;

    @BeforeEach
    void start() throws IOException {
        server = VirtualThreadHttpServer.start(new InetSocketAddress("127.0.0.1", 0), 256);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.localAddress().getPort() + pathAndQuery))
                .timeout(TIMEOUT);
    }

    private static String query(String line) {
        return "/echo?line=" + URLEncoder.encode(line, StandardCharsets.UTF_8);
    }

    @Test
    void answersEchoFromAVirtualThread() throws Exception {
        HttpResponse<String> response = client.send(request(query("hello, world")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("echo: hello, world\n");
        assertThat(response.headers().firstValue(VirtualThreadHttpServer.THREAD_HEADER)).hasValue("virtual-thread");
    }

    @Test
    void serves200ConcurrentRequestsEachWithItsOwnAnswer() {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            responses.add(client.sendAsync(request(query("request " + i)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> response = responses.get(i).join();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("echo: request " + i + "\n");
        }
    }

    @Test
    void aRequestWithoutALineIsABadRequest() throws Exception {
        HttpResponse<String> response = client.send(request("/echo?other=1").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("missing query parameter 'line'");
    }

    @Test
    void aMethodOtherThanGetIsRefused() throws Exception {
        HttpResponse<String> response = client.send(request(query("x")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(405);
    }
}
