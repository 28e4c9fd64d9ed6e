# Alice's script in SieveIT, uploaded with sieve-connect: list mail is filed, everything else is answered.
require ["fileinto", "vacation"];

if header :contains "subject" "[lists]" {
    fileinto "Lists";
    stop;
}

vacation :days 7 :subject "Away until Monday" "I am away until Monday and will answer then.";
