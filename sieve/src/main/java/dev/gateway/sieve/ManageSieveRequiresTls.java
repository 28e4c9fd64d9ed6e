package dev.gateway.sieve;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.james.managesieve.api.Session;
import org.apache.james.managesieve.api.SieveParser;
import org.apache.james.managesieve.core.CoreProcessor;
import org.apache.james.managesieve.transcode.NotEnoughDataException;
import org.apache.james.sieverepository.api.SieveRepository;
import org.apache.james.user.api.UsersRepository;

/**
 * James's ManageSieve commands with two changes to AUTHENTICATE:
 * <ul>
 *   <li>refused until STARTTLS has been done, as every other Gateway listener refuses a password in clear text
 *   (RFC 5804 section 2.1's {@code ENCRYPT-NEEDED} response code);</li>
 *   <li>an initial response sent as a literal, {@code AUTHENTICATE "PLAIN" {44+}} and the data on the next line, is
 *   read (RFC 5804 section 2.1 allows a string, quoted or literal). James 3.8.1 reads only a quoted one and answers the
 *   literal's first line with an IMAP-style {@code + ""}, which ManageSieve clients such as sieve-connect cannot
 *   parse.</li>
 * </ul>
 */
public class ManageSieveRequiresTls extends CoreProcessor {

    static final String ENCRYPT_NEEDED = "NO (ENCRYPT-NEEDED) \"Issue STARTTLS first\"";

    /** The arguments of AUTHENTICATE: the mechanism, a literal's length and, once it has come, the literal. */
    private static final Pattern LITERAL_INITIAL_RESPONSE =
        Pattern.compile("(\"[^\"]*\")\\s+\\{(\\d{1,6})\\+?}(?:\\r?\\n(.*))?", Pattern.DOTALL);

    @Inject
    public ManageSieveRequiresTls(SieveRepository scripts, UsersRepository users, SieveParser parser) {
        super(scripts, users, parser);
    }

    @Override
    public String chooseMechanism(Session session, String arguments) {
        if (!session.isSslEnabled()) {
            return ENCRYPT_NEEDED;
        }
        Matcher literal = LITERAL_INITIAL_RESPONSE.matcher(arguments == null ? "" : arguments.trim());
        if (!literal.matches()) {
            return super.chooseMechanism(session, arguments);
        }
        int length = Integer.parseInt(literal.group(2));
        String data = literal.group(3) == null ? "" : literal.group(3);
        if (data.length() < length) {
            // The channel keeps what came so far and hands it back with the next line.
            throw new NotEnoughDataException();
        }
        String chosen = super.chooseMechanism(session, literal.group(1));
        if (session.getState() != Session.State.AUTHENTICATION_IN_PROGRESS) {
            return chosen;
        }
        return authenticate(session, data.substring(0, length));
    }

    @Override
    public String authenticate(Session session, String suppliedData) {
        if (!session.isSslEnabled()) {
            session.setState(Session.State.UNAUTHENTICATED);
            return ENCRYPT_NEEDED;
        }
        return super.authenticate(session, suppliedData);
    }
}
