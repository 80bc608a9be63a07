package dev.c1m.tuning;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On loopback addresses nothing else in these tests binds (127.0.0.71 and .72), in a range of
 * four ports; each test closes every socket it bound.
 */
@Timeout(30)
class SourcePortsTest {

    private static final int LOW = 41_200;
    private static final int HIGH = 41_203;
    private final List<SocketChannel> sockets = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (SocketChannel socket : sockets) {
            socket.close();
        }
    }

    @Test
    void givesEachSourceAddressTheRangesPortsInOrder() throws IOException {
        SourcePorts ports = new SourcePorts(LOW, HIGH);
        InetAddress a = InetAddress.getByName("127.0.0.71");
        InetAddress b = InetAddress.getByName("127.0.0.72");

        assertThat(ports.bind(open(), a)).isEqualTo(LOW);
        assertThat(ports.bind(open(), a)).isEqualTo(LOW + 1);
        assertThat(ports.bind(open(), b)).as("another address starts its own sequence").isEqualTo(LOW);
        SocketChannel third = open();
        ports.bind(third, a);
        assertThat(third.getLocalAddress()).isEqualTo(new InetSocketAddress(a, LOW + 2));
    }

    @Test
    void skipsAPortInUseOnThatAddressAndWrapsAroundTheRange() throws IOException {
        SourcePorts ports = new SourcePorts(LOW, HIGH);
        InetAddress a = InetAddress.getByName("127.0.0.71");
        open().bind(new InetSocketAddress(a, LOW + 1)); // someone else's

        SocketChannel first = open();
        assertThat(ports.bind(first, a)).isEqualTo(LOW);
        assertThat(ports.bind(open(), a)).as("the taken port is skipped").isEqualTo(LOW + 2);
        assertThat(ports.bind(open(), a)).isEqualTo(HIGH);
        first.close(); // its port is free again
        assertThat(ports.bind(open(), a)).as("after the range's end, its start").isEqualTo(LOW);
    }

    @Test
    void letsTheKernelChooseWhenTheWholeRangeIsTaken() throws IOException {
        SourcePorts ports = new SourcePorts(LOW, LOW + 1);
        InetAddress a = InetAddress.getByName("127.0.0.72");
        open().bind(new InetSocketAddress(a, LOW));
        open().bind(new InetSocketAddress(a, LOW + 1));

        int port = ports.bind(open(), a);

        assertThat(port).isPositive().isNotIn(LOW, LOW + 1);
        assertThat(((InetSocketAddress) sockets.getLast().getLocalAddress()).getPort()).isEqualTo(port);
    }

    @Test
    void refusesWhatIsNoPortRange() {
        assertThatThrownBy(() -> new SourcePorts(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SourcePorts(2000, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SourcePorts(1024, 65_536)).isInstanceOf(IllegalArgumentException.class);
    }

    private SocketChannel open() throws IOException {
        SocketChannel socket = SocketChannel.open();
        sockets.add(socket);
        return socket;
    }
}
