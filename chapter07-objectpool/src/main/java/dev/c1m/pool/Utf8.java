package dev.c1m.pool;

import java.nio.ByteBuffer;

/**
 * Checks that bytes are well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF), without decoding or allocating. Well-formed bytes decode
 * to exactly the same characters in every conforming decoder, so an echo server may copy them
 * verbatim instead of decoding and re-encoding; anything else takes the slow, decoding path so
 * that the reply matches chapter 1's (U+FFFD for malformed input).
 *
 * <p>Stateless.
 */
final class Utf8 {

    private Utf8() {
    }

    /** Whether {@code bytes[start, end)} is well-formed UTF-8. */
    static boolean isWellFormed(ByteBuffer bytes, int start, int end) {
        int i = start;
        while (i < end) {
            int b = bytes.get(i) & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int length;
            int lowest = 0x80;  // allowed range of the second byte
            int highest = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                if (b == 0xE0) {
                    lowest = 0xA0;
                } else if (b == 0xED) {
                    highest = 0x9F;
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                if (b == 0xF0) {
                    lowest = 0x90;
                } else if (b == 0xF4) {
                    highest = 0x8F;
                }
            } else {
                return false;
            }
            if (i + length > end) {
                return false;
            }
            int second = bytes.get(i + 1) & 0xFF;
            if (second < lowest || second > highest) {
                return false;
            }
            for (int k = 2; k < length; k++) {
                int next = bytes.get(i + k) & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return false;
                }
            }
            i += length;
        }
        return true;
    }
}
