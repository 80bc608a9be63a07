package dev.c1m.pool;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8Test {

    @Test
    void wellFormedExactlyWhenTheJdkDecoderRoundTripsTheBytes() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] interesting = {0x41, 0x7F, (byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC2, (byte) 0xDF,
                (byte) 0xE0, (byte) 0xA0, (byte) 0xED, (byte) 0x9F, (byte) 0xEF, (byte) 0xF0, (byte) 0x90,
                (byte) 0xF4, (byte) 0x8F, (byte) 0xF5, (byte) 0xFF};
        int wellFormed = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] bytes = new byte[random.nextInt(1, 7)];
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = random.nextBoolean() ? interesting[random.nextInt(interesting.length)]
                        : (byte) random.nextInt(256);
            }
            boolean roundTrips = Arrays.equals(new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8),
                    bytes);
            assertThat(Utf8.isWellFormed(ByteBuffer.wrap(bytes), 0, bytes.length))
                    .as("bytes %s", Arrays.toString(bytes)).isEqualTo(roundTrips);
            wellFormed += roundTrips ? 1 : 0;
        }
        assertThat(wellFormed).isGreaterThan(10_000); // both outcomes were exercised
    }
}
