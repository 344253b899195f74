<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_MALFORMED_TOKEN`: A sealed body or token is malformed. */
final class MalformedTokenException extends VerificationException
{
}
