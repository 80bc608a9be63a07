package dev.c1m.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.c1m.limit.ConnectionAdmission.Verdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gate on real loopback connections from several source addresses (127.0.0.2, 127.0.0.3). */
@Timeout(30)
class AdmissionGateTest {

    private final List<AutoCloseable> opened = new ArrayList<>();
    private ServerSocketChannel listener;

    @BeforeEach
    void listen() throws IOException {
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        opened.add(listener);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @Test
    void perAddressLimitHoldsForEachSourceAddressSeparately() throws IOException {
        ConnectionAdmission admission = new ConnectionAdmission(100, 2, () -> true);
        AdmissionGate gate = new AdmissionGate(admission);
        List<Boolean> fromTwo = new ArrayList<>();
        List<Boolean> fromThree = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fromTwo.add(gate.admit(acceptFrom("127.0.0.2").server()));
            fromThree.add(gate.admit(acceptFrom("127.0.0.3").server()));
        }
        assertThat(fromTwo).containsExactly(true, true, false);
        assertThat(fromThree).containsExactly(true, true, false);
        assertThat(admission.openFrom(InetAddress.getByName("127.0.0.2"))).isEqualTo(2);
        assertThat(admission.count(Verdict.ADDRESS_FULL)).isEqualTo(2);
    }

    @Test
    void aRefusedClientIsToldTheServerIsBusy() throws IOException {
        ConnectionAdmission admission = new ConnectionAdmission(1, 1, () -> true);
        AdmissionGate gate = new AdmissionGate(admission);
        assertThat(gate.admit(acceptFrom("127.0.0.2").server())).isTrue();

        Pair refused = acceptFrom("127.0.0.3");
        assertThat(gate.admit(refused.server())).isFalse();
        refused.server().close(); // what the acceptor does with a refused channel

        BufferedReader reader = new BufferedReader(new InputStreamReader(refused.client().getInputStream(), StandardCharsets.US_ASCII));
        assertThat(reader.readLine()).isEqualTo("error: server busy");
        assertThat(reader.readLine()).isNull();
        assertThat(admission.count(Verdict.SERVER_FULL)).isEqualTo(1);
    }

    @Test
    void releasingTheAdmittedConnectionsBringsTheCountsBackToZero() throws IOException {
        ConnectionAdmission admission = new ConnectionAdmission(10, 10, () -> true);
        AdmissionGate gate = new AdmissionGate(admission);
        List<InetAddress> admittedFrom = new ArrayList<>();
        for (String source : List.of("127.0.0.2", "127.0.0.3", "127.0.0.3")) {
            SocketChannel channel = acceptFrom(source).server();
            assertThat(gate.admit(channel)).isTrue();
            admittedFrom.add(AdmissionGate.remoteAddressOf(channel)); // taken while the channel is open
            channel.close();
        }
        admittedFrom.forEach(admission::release);
        assertThat(admission.openConnections()).isZero();
        assertThat(admission.trackedAddresses()).isZero();
    }

    private record Pair(Socket client, SocketChannel server) {
    }

    private Pair acceptFrom(String sourceAddress) throws IOException {
        Socket client = new Socket();
        opened.add(client);
        client.setSoTimeout(10_000);
        client.bind(new InetSocketAddress(sourceAddress, 0));
        client.connect(listener.getLocalAddress(), 10_000);
        SocketChannel server = listener.accept();
        opened.add(server);
        return new Pair(client, server);
    }
}
