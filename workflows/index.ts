export { cancelSubscription } from './cancellation';
