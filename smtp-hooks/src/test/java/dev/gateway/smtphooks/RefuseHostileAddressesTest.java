package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RefuseHostileAddressesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bob%foreign.example@example.test | percent hack",
        "\"bob%foreign.example\"@example.test | percent hack",
        "foreign.example!bob@example.test | bang path",
        "\"bob@foreign.example\"@example.test | @ in local part",
        "bob@[192.0.2.1] | address literal"})
    void namesTheHostileForm(String address, String reason) throws Exception {
        assertThat(RefuseHostileAddresses.hostileForm(new MailAddress(address))).contains(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice@example.test", "first.last+tag@example.test", "\"odd but fine\"@example.test",
        "a_b-c@sub.example.test"})
    void leavesOrdinaryAddressesAlone(String address) throws Exception {
        assertThat(RefuseHostileAddresses.hostileForm(new MailAddress(address))).isEmpty();
    }
}
