export { cancelSubscription } from './cancellation';
export { verifyCancellation } from './verification';
