<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_IP_NOT_ALLOWED`: The remote address is outside the allowlist. */
final class IpNotAllowedException extends VerificationException
{
}
