import { Global, Module } from '@nestjs/common';
import { ChangeNotifier } from './change-notifier';
import { Credentials } from './credentials.service';

/**
 * Credentials (secret, session or token id → compiled credential, with its cache kept exact by the
 * change feed) and the ChangeNotifier every feature announces its changes through. Global: the
 * guard, introspection, explain and every feature that changes what the guard answers inject them
 * without importing this module.
 */
@Global()
@Module({
  providers: [Credentials, ChangeNotifier],
  exports: [Credentials, ChangeNotifier],
})
export class CredentialsModule {}
