package io.rveth.model;

import inet.ipaddr.AddressStringParameters;
import inet.ipaddr.IPAddressStringParameters;
import inet.ipaddr.ipv4.IPv4AddressStringParameters;
import inet.ipaddr.ipv6.IPv6AddressStringParameters;

/**
 * How rveth reads address text: plain dotted-quad IPv4 and standard IPv6, with an optional
 * prefix length. The IP library is lenient by default (empty text is loopback, "5" is
 * 0.0.0.5, "10.5.*.1" is a range, zones and masks are accepted); in a network manifest each
 * of those is a typo to report, not a guess to act on.
 */
public final class IpText {
    public static final IPAddressStringParameters STRICT;

    static {
        IPAddressStringParameters.Builder b = new IPAddressStringParameters.Builder()
                .allowEmpty(false).setEmptyAsLoopback(false).allowSingleSegment(false)
                .allowMask(false).allowPrefixOnly(false).allowAll(false)
                .allowWildcardedSeparator(false).setRangeOptions(AddressStringParameters.RangeParameters.NO_RANGE)
                .allow_inet_aton(false);
        b.setIPv4AddressParameters(new IPv4AddressStringParameters.Builder()
                .allow_inet_aton(false).allowLeadingZeros(false).allowBinary(false)
                .allowPrefixesBeyondAddressSize(false).allowWildcardedSeparator(false)
                .setRangeOptions(AddressStringParameters.RangeParameters.NO_RANGE).toParams());
        b.setIPv6AddressParameters(new IPv6AddressStringParameters.Builder()
                .allowZone(false).allowBase85(false).allowBinary(false).allow_mixed_inet_aton(false)
                .allowPrefixesBeyondAddressSize(false).allowWildcardedSeparator(false)
                .setRangeOptions(AddressStringParameters.RangeParameters.NO_RANGE).toParams());
        STRICT = b.toParams();
    }

    private IpText() {
    }

    /**
     * The same address without what the library keeps of the text it was read from (the
     * string and its parse data, about half a kilobyte): for addresses a state holds on to.
     */
    public static inet.ipaddr.IPAddress compact(inet.ipaddr.IPAddress ip) {
        return ip.isPrefixed() ? ip : Cidr.address(ip.getBytes());
    }
}
