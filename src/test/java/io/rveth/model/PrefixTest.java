package io.rveth.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Prefix and Cidr compare kept bytes instead of asking IPAddress: they must agree with it. */
class PrefixTest {
    private static IPAddress ip(String s) {
        return new IPAddressString(s).getAddress();
    }

    /** Random addresses and prefixes that share a random number of leading bits. */
    @Test
    void containsAgreesWithIpAddressOnRandomPairs() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            int bytes = random.nextBoolean() ? 4 : 16;
            byte[] a = new byte[bytes];
            random.nextBytes(a);
            byte[] b = a.clone();
            int same = random.nextInt(bytes * 8 + 1);
            for (int bit = same; bit < bytes * 8; bit++) if (random.nextInt(3) == 0) b[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            int length = random.nextInt(bytes * 8 + 1);
            IPAddress network = toIp(a).setPrefixLength(length, false).toPrefixBlock();
            Prefix prefix = new Prefix(network);
            IPAddress address = toIp(b);
            boolean expected = network.contains(address);
            assertEquals(expected, prefix.contains(address), prefix + " contains " + address);
            assertEquals(expected, prefix.contains(new Cidr(address, bytes * 8)), prefix + " contains cidr " + address);
            int otherLength = random.nextInt(bytes * 8 + 1);
            IPAddress otherNetwork = address.setPrefixLength(otherLength, false).toPrefixBlock();
            assertEquals(network.contains(otherNetwork), prefix.contains(new Prefix(otherNetwork)),
                    prefix + " contains " + otherNetwork);
        }
    }

    private static IPAddress toIp(byte[] bytes) {
        return bytes.length == 4 ? new inet.ipaddr.ipv4.IPv4Address(bytes) : new inet.ipaddr.ipv6.IPv6Address(bytes);
    }

    @Test
    void familiesNeverContainEachOther() {
        assertFalse(Prefix.parse("0.0.0.0/0").contains(ip("::1")));
        assertFalse(Prefix.parse("::/0").contains(ip("10.0.0.1")));
        assertFalse(Prefix.parse("::/0").contains(Prefix.parse("10.0.0.0/8")));
        assertTrue(Prefix.parse("::/0").contains(Prefix.parse("2001:db8::/32")));
        assertFalse(Prefix.parse("10.0.0.0/24").contains(Prefix.parse("10.0.0.0/16")), "a longer prefix holds no shorter one");
    }

    /**
     * Hashes of neighbouring addresses must differ: with Arrays.hashCode, 10.0.x.y and
     * 10.0.x'.y' collide whenever 31x + y is equal, and 65,536 addresses share about
     * 8,000 codes, which turns a large plan's maps into chains.
     */
    @Test
    void neighbouringAddressesHashApart() {
        Set<Integer> prefixHashes = new HashSet<>();
        Set<Integer> addressHashes = new HashSet<>();
        for (int x = 0; x < 256; x++) {
            for (int y = 0; y < 256; y++) {
                prefixHashes.add(Prefix.parse("10.0." + x + "." + y + "/32").hashCode());
                addressHashes.add(Cidr.parse("2001:db8:1::" + Integer.toHexString(x << 8 | y) + "/128").addressHash());
            }
        }
        assertEquals(65_536, prefixHashes.size());
        assertEquals(65_536, addressHashes.size());
    }
}
