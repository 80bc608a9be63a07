package dev.c1m.limit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A blocking line client that can connect from a chosen loopback source address (127.0.0.2, ...). */
final class TestClient implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader reader;
    private final OutputStream out;

    private TestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    static TestClient connect(InetSocketAddress server, String sourceAddress, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(sourceAddress, 0));
            socket.connect(server, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return new TestClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code line} and a newline; a refused client may already be closed, so failure is reported, not thrown. */
    boolean sendQuietly(String line) {
        try {
            send(line);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    void send(String line) throws IOException {
        sendRaw(line + "\n");
    }

    void sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next line, or null at end of stream. */
    String readLine() throws IOException {
        return reader.readLine();
    }

    String request(String line) throws IOException {
        send(line);
        return readLine();
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
