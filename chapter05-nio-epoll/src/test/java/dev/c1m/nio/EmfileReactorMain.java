package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;

import java.net.InetSocketAddress;

/**
 * A single-reactor line echo server for {@link AcceptFailureBackoffTest}, run in a child JVM
 * under {@code prlimit --nofile=N}. Prints {@code listening on <port>}, then a status line
 * {@code failures=F accepted=A} each time one of its acceptor's counters changes (checked every
 * 10 ms), until it is killed.
 */
public final class EmfileReactorMain {

    private EmfileReactorMain() {
    }

    public static void main(String[] args) throws Exception {
        // Initialize logging now: once descriptors run out, nothing new can be opened.
        System.getLogger(EmfileReactorMain.class.getName()).log(System.Logger.Level.INFO, "starting");
        try (ReactorServer server = ReactorServer.singleReactor("emfile", new InetSocketAddress("127.0.0.1", 0),
                LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES), ReactorSettings.defaults())) {
            System.out.println("listening on " + server.localAddress().getPort());
            Acceptor acceptor = server.acceptors().getFirst();
            String last = "";
            while (true) {
                String status = "failures=" + acceptor.acceptFailures() + " accepted=" + acceptor.acceptedConnections();
                if (!status.equals(last)) {
                    System.out.println(status);
                    last = status;
                }
                Thread.sleep(10);
            }
        }
    }
}
