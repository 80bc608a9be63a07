package dev.c1m.tuning;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On loopback addresses nothing else in these tests binds (127.0.0.71 and .72), in a range of
 * four ports found free on both before each test (around a port the kernel picks, not a fixed
 * one); each test closes every socket it bound.
 */
@Timeout(30)
class SourcePortsTest {

    private static final int RANGE = 4;
    private final List<SocketChannel> sockets = new ArrayList<>();
    private InetAddress a;
    private InetAddress b;
    private int low;
    private int high;

    @BeforeEach
    void findAFreeRange() throws IOException {
        a = InetAddress.getByName("127.0.0.71");
        b = InetAddress.getByName("127.0.0.72");
        for (int attempt = 0; attempt < 100; attempt++) {
            try (SocketChannel probe = SocketChannel.open()) {
                probe.bind(new InetSocketAddress(a, 0));
                low = ((InetSocketAddress) probe.getLocalAddress()).getPort();
            }
            high = low + RANGE - 1;
            if (high <= 65_535 && allFree(a) && allFree(b)) {
                return;
            }
        }
        throw new IllegalStateException("no " + RANGE + " consecutive free ports on " + a + " and " + b);
    }

    private boolean allFree(InetAddress address) throws IOException {
        for (int port = low; port <= high; port++) {
            try (SocketChannel probe = SocketChannel.open()) {
                probe.bind(new InetSocketAddress(address, port));
            } catch (BindException taken) {
                return false;
            }
        }
        return true;
    }

    @AfterEach
    void closeAll() throws IOException {
        for (SocketChannel socket : sockets) {
            socket.close();
        }
    }

    @Test
    void givesEachSourceAddressTheRangesPortsInOrder() throws IOException {
        SourcePorts ports = new SourcePorts(low, high);

        assertThat(ports.bind(open(), a)).isEqualTo(low);
        assertThat(ports.bind(open(), a)).isEqualTo(low + 1);
        assertThat(ports.bind(open(), b)).as("another address starts its own sequence").isEqualTo(low);
        SocketChannel third = open();
        ports.bind(third, a);
        assertThat(third.getLocalAddress()).isEqualTo(new InetSocketAddress(a, low + 2));
    }

    @Test
    void skipsAPortInUseOnThatAddressAndWrapsAroundTheRange() throws IOException {
        SourcePorts ports = new SourcePorts(low, high);
        open().bind(new InetSocketAddress(a, low + 1)); // someone else's

        SocketChannel first = open();
        assertThat(ports.bind(first, a)).isEqualTo(low);
        assertThat(ports.bind(open(), a)).as("the taken port is skipped").isEqualTo(low + 2);
        assertThat(ports.bind(open(), a)).isEqualTo(high);
        first.close(); // its port is free again
        assertThat(ports.bind(open(), a)).as("after the range's end, its start").isEqualTo(low);
    }

    @Test
    void letsTheKernelChooseWhenTheWholeRangeIsTaken() throws IOException {
        SourcePorts ports = new SourcePorts(low, low + 1);
        open().bind(new InetSocketAddress(b, low));
        open().bind(new InetSocketAddress(b, low + 1));

        int port = ports.bind(open(), b);

        assertThat(port).isPositive().isNotIn(low, low + 1);
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
