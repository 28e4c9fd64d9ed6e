package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

class CheckHeloNameTest {

    @Test
    void domainNamesAreNamesAndBareAddressesOrJunkAreNot() {
        assertThat(CheckHeloName.isDomainName("mail.example.com")).isTrue();
        assertThat(CheckHeloName.isDomainName("mail.example.com.")).isTrue();
        assertThat(CheckHeloName.isDomainName("WORKSTATION-7")).as("not fully qualified but valid").isTrue();
        for (String bad : new String[] {"", "192.0.2.1", "mail..example.com", "-mail.example.com", "mail example",
            "mail.example.com-", "<script>", "a".repeat(64) + ".com"}) {
            assertThat(CheckHeloName.isDomainName(bad)).as(bad).isFalse();
        }
    }

    @Test
    void addressLiteralsAreReadInBothFamilies() throws Exception {
        assertThat(CheckHeloName.literalAddress("[192.0.2.1]")).isEqualTo(InetAddress.getByName("192.0.2.1"));
        assertThat(CheckHeloName.literalAddress("[IPv6:2001:db8::1]")).isEqualTo(InetAddress.getByName("2001:db8::1"));
        for (String bad : new String[] {"[192.0.2]", "[mail.example.com]", "[2001:db8::1]", "[IPv6:zz::1]", "[]"}) {
            assertThat(CheckHeloName.literalAddress(bad)).as(bad).isNull();
        }
    }
}
