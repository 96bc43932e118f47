export { cancelSubscription } from './cancellation';
export { verifyCancellation } from './verification';
export { deliverCallbackEvent } from './callback-delivery';
